import type { QuietHours } from '@haru/contracts';
import { Temporal } from 'temporal-polyfill';

/** When a family's pushes happen, as the family set it. */
export interface Schedule {
  /** IANA time zone, e.g. "Asia/Seoul". */
  timezone: string;
  /** Local wall-clock time of the daily question, "HH:MM". */
  pushTime: string;
  /** Local wall-clock window in which the "complete" push waits; null means none. */
  quietHours: QuietHours;
}

/** One daily question: the family's local date it belongs to and the instant it is due. */
export interface QuestionOccurrence {
  localDate: Temporal.PlainDate;
  dueAt: Temporal.Instant;
}

/** True when the zone is one the time zone database knows (so every later computation works). */
export function isKnownTimeZone(timezone: string): boolean {
  try {
    Temporal.Now.zonedDateTimeISO(timezone);
    return true;
  } catch {
    return false;
  }
}
