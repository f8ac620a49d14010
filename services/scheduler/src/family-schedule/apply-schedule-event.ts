import { causedBy, createEvent, type EventOf } from '@haru/contracts';
import { HaruError } from '@haru/errors';
import { appendToOutbox, type OutboxTransaction } from '@haru/messaging';
import { Temporal } from 'temporal-polyfill';
import type { SchedulerDatabase } from '../database.ts';
import { findAnnouncedQuestion, recordFired, recordRetimed } from '../due-tick/fired.repository.ts';
import { toDate, toInstant, toIsoString } from '../instants.ts';
import { changeSchedule, type ScheduleChange } from '../schedule/change-schedule.ts';
import { isKnownTimeZone } from '../schedule/schedule.ts';
import { insertFamilySchedule, lockFamilySchedule, updateFamilySchedule } from './family-schedule.repository.ts';

/**
 * FamilyCreated and ScheduleChanged both carry the whole schedule, its reminder offset
 * included: the latest event wins (see `changeSchedule`), so duplicates and reordering
 * converge on the same row. (The handler then moves the family's reminders still waiting.)
 * A change that moves a question already announced ahead of its instant, or fires today's
 * at once, announces it (QuestionDue, caused by the change) in the same transaction.
 */
export async function applyScheduleEvent(
  trx: OutboxTransaction<SchedulerDatabase>,
  event: EventOf<'FamilyCreated'> | EventOf<'ScheduleChanged'>,
  now: Temporal.Instant,
): Promise<EventOf<'QuestionDue'> | undefined> {
  const { timezone, pushTime, quietHours, reminderOffsetMinutes } = event.data;
  // An unknown zone must not enter the due-index, where no tick could compute it: the
  // event fails, and after the consumer's retries it rests in the dead-letter queue.
  if (!isKnownTimeZone(timezone)) throw new HaruError('unprocessable', `unknown time zone ${timezone}`);
  const change = {
    schedule: { timezone, pushTime, quietHours },
    version: { occurredAt: toInstant(new Date(event.occurredAt)), eventId: event.id },
  };
  // Two tries: if a concurrent handler creates the row between our look and our insert,
  // the second look finds (and locks) it.
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const current = await lockFamilySchedule(trx, event.familyId);
    const announced = current && (await findAnnouncedQuestion(trx, event.familyId, toDate(now)));
    const changed = changeSchedule(
      current,
      change,
      now,
      announced ? { localDate: Temporal.PlainDate.from(announced.localDate), dueAt: toInstant(announced.dueAt) } : null,
    );
    if (!changed) return undefined;
    if (current) {
      await updateFamilySchedule(trx, event.familyId, changed, reminderOffsetMinutes);
      return announceQuestion(trx, event, changed.announce, now);
    }
    if (await insertFamilySchedule(trx, event.familyId, changed, reminderOffsetMinutes)) return undefined;
  }
  throw new Error(`could not apply the schedule of family ${event.familyId}`);
}

async function announceQuestion(
  trx: OutboxTransaction<SchedulerDatabase>,
  cause: EventOf<'ScheduleChanged'> | EventOf<'FamilyCreated'>,
  announce: ScheduleChange['announce'],
  now: Temporal.Instant,
): Promise<EventOf<'QuestionDue'> | undefined> {
  if (!announce) return undefined;
  const { occurrence } = announce;
  const localDate = occurrence.localDate.toString();
  const event = createEvent(
    'QuestionDue',
    cause.familyId,
    { localDate, dueAt: toIsoString(occurrence.dueAt) },
    causedBy(cause, toDate(now)),
  );
  const firing = {
    familyId: cause.familyId,
    subject: localDate,
    kind: 'question' as const,
    dueAt: toDate(occurrence.dueAt),
    event,
  };
  if (announce.as === 'retime') await recordRetimed(trx, firing);
  else if ((await recordFired(trx, [firing])).length === 0) return undefined;
  await appendToOutbox(trx, [event]);
  return event;
}
