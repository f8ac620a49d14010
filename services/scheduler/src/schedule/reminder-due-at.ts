import type { Temporal } from 'temporal-polyfill';
import { endOfQuietHours } from './end-of-quiet-hours.ts';
import type { Schedule } from './schedule.ts';

/**
 * When the reminder of a question is due: the family's reminder offset after the
 * question opened, deferred to the end of quiet hours when that moment falls inside them.
 */
export function reminderDueAt(
  openedAt: Temporal.Instant,
  schedule: Pick<Schedule, 'timezone' | 'quietHours'> & { reminderOffsetMinutes: number },
): Temporal.Instant {
  const at = openedAt.add({ minutes: schedule.reminderOffsetMinutes });
  return endOfQuietHours(schedule.quietHours, schedule.timezone, at) ?? at;
}
