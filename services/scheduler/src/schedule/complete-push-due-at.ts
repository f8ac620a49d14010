import { Temporal } from 'temporal-polyfill';
import { endOfQuietHours } from './end-of-quiet-hours.ts';
import type { Schedule } from './schedule.ts';

/**
 * When the "everyone answered" push is due: once the question is both opened and
 * complete, deferred to the end of quiet hours when that moment falls inside them.
 */
export function completePushDueAt(
  { openedAt, completedAt }: { openedAt: Temporal.Instant; completedAt: Temporal.Instant },
  schedule: Pick<Schedule, 'timezone' | 'quietHours'>,
): Temporal.Instant {
  const ready = Temporal.Instant.compare(openedAt, completedAt) >= 0 ? openedAt : completedAt;
  return endOfQuietHours(schedule.quietHours, schedule.timezone, ready) ?? ready;
}
