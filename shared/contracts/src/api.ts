// Request bodies of the app API, shared by the gateway (which checks them at the edge)
// and the services behind it (which check them again: internal APIs trust no one).
import { z } from 'zod';
import { newEventId } from './envelope.ts';

export const localTimeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time HH:MM from 00:00 to 23:59');

export const timezoneSchema = z.string().max(64).refine(isIanaZone, 'an IANA time zone such as Asia/Seoul');

function isIanaZone(zone: string): boolean {
  if (!/^(UTC|[A-Za-z_]+(\/[A-Za-z0-9_+-]+)+)$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Text a person writes (names, answers), trimmed and bounded. PostgreSQL stores neither NUL
 * characters nor unpaired UTF-16 surrogates (jsonb refuses both), so neither is text.
 */
export const textSchema = (maxLength: number) =>
  z.string().trim().min(1).max(maxLength).refine(isStorable, 'text without NUL characters or unpaired surrogates');

/** Whether PostgreSQL can store the string as text and inside jsonb. */
export function isStorable(value: string): boolean {
  return value.isWellFormed() && !value.includes('\u0000');
}

export const quietHoursInputSchema = z.strictObject({ start: localTimeSchema, end: localTimeSchema }).nullable();

const reminderOffset = 'a whole number of minutes from 15 to 720';
/** How long after the question its reminder comes; absent means `defaultReminderOffsetMinutes`. */
export const reminderOffsetInputSchema = z
  .number({ error: reminderOffset })
  .int(reminderOffset)
  .min(15, reminderOffset)
  .max(720, reminderOffset);

const roleSchema = z.enum(['parent', 'child']);
const localeSchema = z.enum(['ko', 'en']);
const displayNameSchema = textSchema(50);

export const memberInputSchema = z.strictObject({
  role: roleSchema,
  displayName: displayNameSchema,
  /** Absent means Korean (`defaultLocale`), applied where the member is recorded. */
  locale: localeSchema.optional(),
});

const familyNameSchema = textSchema(50);

export const createFamilyInputSchema = z.strictObject({
  name: familyNameSchema,
  timezone: timezoneSchema,
  pushTime: localTimeSchema,
  quietHours: quietHoursInputSchema.optional(),
  reminderOffsetMinutes: reminderOffsetInputSchema.optional(),
  member: memberInputSchema,
});

/** A family's new name (parents only). */
export const renameFamilyInputSchema = z.strictObject({ name: familyNameSchema });

export const joinFamilyInputSchema = z.strictObject({
  inviteCode: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z0-9]{8}$/, 'an 8-character invite code'),
  /**
   * The role comes from the invite code. A role may still be stated (older apps always do):
   * one that disagrees with the code's is refused (409), never granted.
   */
  member: memberInputSchema.extend({ role: roleSchema.optional() }),
});

/** A new invite code for a role (parents only); it replaces that role's previous code. */
export const inviteInputSchema = z.strictObject({ role: roleSchema });

/** The role a parent gives a member (`PATCH …/members/:memberId`). */
export const roleChangeInputSchema = z.strictObject({ role: roleSchema });

/** A member's own settings; each field left out stays as it is. */
export const preferencesInputSchema = z.strictObject({
  displayName: displayNameSchema.optional(),
  locale: localeSchema.optional(),
  /** The pushes the member does not want; today's question cannot be muted. */
  mutedKinds: z
    .array(z.enum(['reminder', 'complete']))
    .max(2)
    .optional(),
});

export const scheduleInputSchema = z.strictObject({
  pushTime: localTimeSchema,
  timezone: timezoneSchema,
  quietHours: quietHoursInputSchema.optional(),
  reminderOffsetMinutes: reminderOffsetInputSchema.optional(),
});

export const answerInputSchema = z.strictObject({ text: textSchema(2000) });

/**
 * A page of a family's archive: the questions before `before` (a page's `nextCursor`: the local
 * date of its oldest question), newest first. Questions that open later never shift a page.
 */
const pageSize = 'a whole number of questions from 1 to 50';
export const archiveQuerySchema = z.strictObject({
  before: z.iso.date({ error: "a local date, YYYY-MM-DD: the page before's nextCursor" }).optional(),
  limit: z.coerce.number({ error: pageSize }).int(pageSize).min(1, pageSize).max(50, pageSize).default(20),
});

/** The most answers the gateway hands the answer service in one call. */
export const maxAnswersPerBatch = 64;

/**
 * Answers the gateway hands the answer service together (`POST /internal/answers`): each
 * as the app sent it, with its verified caller and its request's correlation id. The gateway
 * answers an app request whose ids are not ids itself (404), so a call out of shape can
 * only come from a broken gateway: it is refused as a whole (400) and writes nothing, while
 * one member's answer to a family or question that does not exist is that answer's 404.
 */
export const answerBatchSchema = z.strictObject({
  answers: z
    .array(
      z.strictObject({
        familyId: z.uuid(),
        questionId: z.uuid(),
        uid: z.string().min(1).max(128),
        correlationId: z.string().regex(/^[\w-]{1,64}$/),
        text: answerInputSchema.shape.text,
      }),
    )
    .min(1)
    .max(maxAnswersPerBatch),
});

export type AnswerInBatch = z.infer<typeof answerBatchSchema>['answers'][number];

/** What became of each answer of a batch, in order: the status and body its app request gets. */
export interface AnswerOutcome {
  status: number;
  body: unknown;
}

export const deviceInputSchema = z.strictObject({ platform: z.enum(['android', 'ios', 'web']) });

/** The language of a member who did not choose one. */
export const defaultLocale = 'ko';

/** Default quiet hours of a new family, local time. */
export const defaultQuietHours = { start: '22:00', end: '08:00' } as const;

/** How long after a family's question its reminder comes, unless a parent chose otherwise. */
export const defaultReminderOffsetMinutes = 180;

/** The header that carries the caller's verified identity from the gateway to the services. */
export const callerUidHeader = 'x-haru-uid';

/** The header that carries a request's correlation id into the events it causes. */
export const correlationIdHeader = 'x-correlation-id';

/**
 * The correlation id a request presented, if it looks like one (word characters and dashes,
 * at most 64); otherwise a new one. Events must carry a non-empty one, so an empty or
 * garbled header never reaches them.
 */
export const correlationIdOf = (presented: string | undefined): string =>
  presented !== undefined && /^[\w-]{1,64}$/.test(presented) ? presented : newEventId();
