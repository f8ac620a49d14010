import { Temporal } from 'temporal-polyfill';
import { instantOfLocalTime } from './instant-of-local-time.ts';
import type { QuestionOccurrence, Schedule } from './schedule.ts';

const occurrenceOn = (schedule: Schedule, localDate: Temporal.PlainDate): QuestionOccurrence => ({
  localDate,
  dueAt: instantOfLocalTime(localDate, Temporal.PlainTime.from(schedule.pushTime), schedule.timezone),
});

const localDateOf = (instant: Temporal.Instant, timezone: string): Temporal.PlainDate =>
  instant.toZonedDateTimeISO(timezone).toPlainDate();

// How many local dates around `after` to look at. One day either side covers a due
// instant pushed past midnight by a gap; a few more cover a zone that skipped a day.
const searchDays = 4;

/**
 * The family's next daily question due strictly after `after`: exactly one per local
 * date. `firedThrough` is the last local date already fired: no date on or before it is
 * returned again (a schedule or time zone change never re-fires a day).
 */
export function nextQuestionDue(
  schedule: Schedule,
  after: Temporal.Instant,
  firedThrough: Temporal.PlainDate | null = null,
): QuestionOccurrence {
  let date = localDateOf(after, schedule.timezone).subtract({ days: 1 });
  if (firedThrough && Temporal.PlainDate.compare(date, firedThrough) <= 0) date = firedThrough.add({ days: 1 });
  for (let day = 0; day < searchDays; day += 1, date = date.add({ days: 1 })) {
    const occurrence = occurrenceOn(schedule, date);
    if (Temporal.Instant.compare(occurrence.dueAt, after) > 0) return occurrence;
  }
  throw new Error(`no question due within ${searchDays} days after ${after.toString()} in ${schedule.timezone}`);
}

/** The family's latest daily question due at or before `atOrBefore`. */
export function latestQuestionDue(schedule: Schedule, atOrBefore: Temporal.Instant): QuestionOccurrence {
  let date = localDateOf(atOrBefore, schedule.timezone).add({ days: 1 });
  for (let day = 0; day < searchDays; day += 1, date = date.subtract({ days: 1 })) {
    const occurrence = occurrenceOn(schedule, date);
    if (Temporal.Instant.compare(occurrence.dueAt, atOrBefore) <= 0) return occurrence;
  }
  throw new Error(`no question due within ${searchDays} days before ${atOrBefore.toString()} in ${schedule.timezone}`);
}
