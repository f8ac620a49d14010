// The event catalogue: the only thing services share about each other.
// Changes are additive. A breaking change is a new version with an upcaster.
import { z } from 'zod';
import { type Envelope, envelopeSchema } from './envelope.ts';

const uuid = z.uuid();
const instant = z.iso.datetime({ offset: true });
const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 00:00–23:59');
const localDate = z.iso.date();
const locale = z.enum(['ko', 'en']);
const role = z.enum(['parent', 'child']);

export const quietHoursSchema = z.object({ start: localTime, end: localTime }).nullable();
export type QuietHours = z.infer<typeof quietHoursSchema>;

export type PushKind = 'question' | 'complete' | 'reminder';

const schedule = {
  timezone: z.string().min(1),
  pushTime: localTime,
  quietHours: quietHoursSchema,
};

/** `data` schema of each event type, version 1. */
export const eventSchemas = {
  FamilyCreated: z.object({ name: z.string(), ...schedule }),
  MemberJoined: z.object({ memberId: uuid, uid: z.string(), role, displayName: z.string(), locale }),
  MemberLeft: z.object({ memberId: uuid }),
  ScheduleChanged: z.object(schedule),
  QuestionDue: z.object({ localDate, dueAt: instant }),
  QuestionOpened: z.object({
    questionId: uuid,
    localDate,
    text: z.object({ ko: z.string(), en: z.string() }),
    openedAt: instant,
    requiredMemberIds: z.array(uuid),
  }),
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

/**
 * Checks an incoming message at the edge. Anything that is not a known, well-formed
 * event is rejected with the reason (and goes to the dead-letter queue, never retried).
 */
export function parseEvent(raw: unknown): { ok: true; event: DomainEvent } | { ok: false; reason: string } {
  const envelope = envelopeSchema.safeParse(raw);
  if (!envelope.success) return { ok: false, reason: `bad envelope: ${z.prettifyError(envelope.error)}` };
  const { type, version } = envelope.data;
  if (!isEventType(type)) return { ok: false, reason: `unknown event type ${type}` };
  if (version !== 1) return { ok: false, reason: `unsupported version ${version} of ${type}` };
  const data = eventSchemas[type].safeParse(envelope.data.data);
  if (!data.success) return { ok: false, reason: `bad ${type} data: ${z.prettifyError(data.error)}` };
  return { ok: true, event: { ...envelope.data, type, data: data.data } as DomainEvent };
}
