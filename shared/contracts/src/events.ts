// The event catalogue: the only thing services share about each other.
// Changes are additive. A breaking change is a new version with an upcaster.
import { z } from 'zod';
import { defaultReminderOffsetMinutes } from './api.ts';
import { type Envelope, envelopeSchema } from './envelope.ts';

const uuid = z.uuid();
const instant = z.iso.datetime({ offset: true });
const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 00:00–23:59');
const localDate = z.iso.date();
const locale = z.enum(['ko', 'en']);
const role = z.enum(['parent', 'child']);
/** The pushes a member may mute; today's question is never muted. */
export const mutableKinds = ['reminder', 'complete'] as const;

export const quietHoursSchema = z.object({ start: localTime, end: localTime }).nullable();
export type QuietHours = z.infer<typeof quietHoursSchema>;

export type PushKind = 'question' | 'complete' | 'reminder';

const schedule = {
  timezone: z.string().min(1),
  pushTime: localTime,
  quietHours: quietHoursSchema,
  /**
   * Minutes from each question to its reminder. Absent on events from before a family could
   * choose it, when every family had the default: additive, not a new version.
   */
  reminderOffsetMinutes: z.number().int().positive().default(defaultReminderOffsetMinutes),
};

const openedQuestion = z.object({
  questionId: uuid,
  localDate,
  text: z.object({ ko: z.string(), en: z.string() }),
  openedAt: instant,
  requiredMemberIds: z.array(uuid),
});

/** `data` schema of each event type, at its current version (see `currentVersion`). */
export const eventSchemas = {
  FamilyCreated: z.object({ name: z.string(), ...schedule }),
  MemberJoined: z.object({ memberId: uuid, uid: z.string(), role, displayName: z.string(), locale }),
  MemberLeft: z.object({ memberId: uuid }),
  MemberPreferencesChanged: z.object({ memberId: uuid, locale, mutedKinds: z.array(z.enum(mutableKinds)) }),
  ScheduleChanged: z.object(schedule),
  QuestionDue: z.object({ localDate, dueAt: instant }),
  QuestionOpened: openedQuestion,
  /**
   * A question prepared ahead whose instant moved before it came (a schedule change within
   * the lead): the same question, opening at the new `openedAt`. The later event wins.
   */
  QuestionRescheduled: openedQuestion,
  AnswerSubmitted: z.object({ questionId: uuid, memberId: uuid, answeredAt: instant }),
  FamilyQuestionCompleted: z.object({ questionId: uuid, completedAt: instant }),
  DueAndComplete: z.object({ questionId: uuid, dueAt: instant }),
  ReminderDue: z.object({ questionId: uuid, memberIds: z.array(uuid), dueAt: instant }),
  NotificationSent: z.object({
    notificationId: uuid,
    kind: z.enum(['question', 'complete', 'reminder']),
    questionId: uuid,
    delivered: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
  }),
  DeviceTokenInvalidated: z.object({ memberId: uuid.nullable(), reason: z.string() }),
} as const;

export type EventType = keyof typeof eventSchemas;
export const eventTypes = Object.keys(eventSchemas) as EventType[];

export type EventOf<Type extends EventType> = Envelope<Type, z.infer<(typeof eventSchemas)[Type]>>;

/** Any event of the catalogue, discriminated by `type`. */
export type DomainEvent = { [Type in EventType]: EventOf<Type> }[EventType];

const isEventType = (type: string): type is EventType => Object.hasOwn(eventSchemas, type);

/** An earlier version of an event's data: its schema, and how to lift it to the next version. */
interface PastVersion {
  schema: z.ZodType;
  upcast: (data: unknown) => unknown;
}

const pastVersion = <Schema extends z.ZodType>(
  schema: Schema,
  upcast: (data: z.infer<Schema>) => unknown,
): PastVersion => ({ schema, upcast: upcast as (data: unknown) => unknown });

/**
 * The versions of each type before the current one (`eventSchemas`), oldest first: entry
 * N-1 is version N. Old versions still arrive from producers not yet upgraded and from
 * replays; the edge lifts them one version at a time, so consumers only see the current
 * shape. See docs/events.md, "Versioning".
 */
const pastVersions: { readonly [Type in EventType]?: readonly PastVersion[] } = {
  // v1 carried no locale: every member was taken to read Korean. v2 requires it (pushes
  // are localized), so a v1 member reads Korean, as the API's default locale says.
  MemberJoined: [pastVersion(eventSchemas.MemberJoined.omit({ locale: true }), (data) => ({ ...data, locale: 'ko' }))],
};

/** The version producers emit for a type, and the one consumers see after upcasting. */
export const currentVersion = (type: EventType): number => (pastVersions[type]?.length ?? 0) + 1;

/**
 * Checks an incoming message at the edge. Anything that is not a known, well-formed
 * event is rejected with the reason (and goes to the dead-letter queue, never retried).
 * An older version is checked against its own schema, upcast to the current version and
 * checked again; a version newer than this build knows is rejected.
 */
export function parseEvent(raw: unknown): { ok: true; event: DomainEvent } | { ok: false; reason: string } {
  const envelope = envelopeSchema.safeParse(raw);
  if (!envelope.success) return { ok: false, reason: `bad envelope: ${z.prettifyError(envelope.error)}` };
  const { type, version } = envelope.data;
  if (!isEventType(type)) return { ok: false, reason: `unknown event type ${type}` };
  const current = currentVersion(type);
  if (version > current) return { ok: false, reason: `unsupported version ${version} of ${type}` };
  let payload = envelope.data.data;
  for (let from = version; from < current; from++) {
    const past = pastVersions[type]?.[from - 1];
    if (!past) return { ok: false, reason: `no upcaster from version ${from} of ${type}` };
    const old = past.schema.safeParse(payload);
    if (!old.success) return { ok: false, reason: `bad ${type} v${from} data: ${z.prettifyError(old.error)}` };
    payload = past.upcast(old.data);
  }
  const data = eventSchemas[type].safeParse(payload);
  if (!data.success) return { ok: false, reason: `bad ${type} data: ${z.prettifyError(data.error)}` };
  return { ok: true, event: { ...envelope.data, type, version: current, data: data.data } as DomainEvent };
}
