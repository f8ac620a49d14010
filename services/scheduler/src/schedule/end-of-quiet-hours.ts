import type { QuietHours } from '@haru/contracts';
import { Temporal } from 'temporal-polyfill';
import { instantOfLocalTime } from './instant-of-local-time.ts';

/**
 * When quiet hours that contain `at` end, or null when `at` is outside them (or there
 * are none). Quiet hours are a local wall-clock window and may wrap past midnight
 * (22:00–08:00); the start is inside, the end is not; start = end means no window.
 * The end is resolved like any local time (gap → first valid instant after it).
 */
export function endOfQuietHours(
  quietHours: QuietHours,
  timezone: string,
  at: Temporal.Instant,
): Temporal.Instant | null {
  if (!quietHours || quietHours.start === quietHours.end) return null;
  const start = Temporal.PlainTime.from(quietHours.start);
  const end = Temporal.PlainTime.from(quietHours.end);
  const local = at.toZonedDateTimeISO(timezone);
  const time = local.toPlainTime();
  const date = local.toPlainDate();
  const atOrAfterStart = Temporal.PlainTime.compare(time, start) >= 0;
  const beforeEnd = Temporal.PlainTime.compare(time, end) < 0;
  const wraps = Temporal.PlainTime.compare(start, end) > 0;

  let endDate: Temporal.PlainDate;
  if (!wraps && atOrAfterStart && beforeEnd) endDate = date;
  else if (wraps && atOrAfterStart) endDate = date.add({ days: 1 });
  else if (wraps && beforeEnd) endDate = date;
  else return null;
  const endsAt = instantOfLocalTime(endDate, end, timezone);
  // Around a fall-back transition the wall clock can read "inside" after the end's
  // first occurrence has passed; the window is then over.
  return Temporal.Instant.compare(endsAt, at) > 0 ? endsAt : null;
}
