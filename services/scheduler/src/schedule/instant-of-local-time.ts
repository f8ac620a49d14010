import { Temporal } from 'temporal-polyfill';

/**
 * The instant at which a local wall-clock time happens on a date in a zone.
 * - A time that does not exist that day (spring-forward gap) happens at the first valid
 *   instant after it: the transition itself (02:30 in a 02:00→03:00 gap → 03:00).
 * - A time that occurs twice (fall back) happens at its first occurrence.
 * Temporal's own "compatible" rule would move a gap time forward by the gap's length
 * (02:30 → 03:30), which is not what the brief asks for.
 */
export function instantOfLocalTime(
  date: Temporal.PlainDate,
  time: Temporal.PlainTime,
  timezone: string,
): Temporal.Instant {
  const wanted = date.toPlainDateTime(time);
  const earlier = wanted.toZonedDateTime(timezone, { disambiguation: 'earlier' });
  if (Temporal.PlainDateTime.compare(earlier.toPlainDateTime(), wanted) === 0) return earlier.toInstant();
  // In a gap, "earlier" reads the wall time with the offset from before the gap, which
  // lands before the gap; the gap ends at the zone's next transition.
  const transition = earlier.getTimeZoneTransition('next');
  if (!transition) throw new Error(`no transition after ${earlier.toString()}, yet ${wanted.toString()} is missing`);
  return transition.toInstant();
}
