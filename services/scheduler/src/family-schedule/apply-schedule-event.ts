import type { EventOf } from '@haru/contracts';
import type { Executor } from '@haru/db';
import { HaruError } from '@haru/errors';
import type { Temporal } from 'temporal-polyfill';
import type { SchedulerDatabase } from '../database.ts';
import { toInstant } from '../instants.ts';
import { changeSchedule } from '../schedule/change-schedule.ts';
import { isKnownTimeZone } from '../schedule/schedule.ts';
import { insertFamilySchedule, lockFamilySchedule, updateFamilySchedule } from './family-schedule.repository.ts';

/**
 * FamilyCreated and ScheduleChanged both carry the whole schedule: the latest event
 * wins (see `changeSchedule`), so duplicates and reordering converge on the same row.
 */
export async function applyScheduleEvent(
  trx: Executor<SchedulerDatabase>,
  event: EventOf<'FamilyCreated'> | EventOf<'ScheduleChanged'>,
  now: Temporal.Instant,
): Promise<void> {
  const { timezone, pushTime, quietHours } = event.data;
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
    const changed = changeSchedule(current, change, now);
    if (!changed) return;
    if (current) return updateFamilySchedule(trx, event.familyId, changed);
    if (await insertFamilySchedule(trx, event.familyId, changed)) return;
  }
  throw new Error(`could not apply the schedule of family ${event.familyId}`);
}
