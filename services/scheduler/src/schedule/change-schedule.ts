import { Temporal } from 'temporal-polyfill';
import { instantOfLocalTime } from './instant-of-local-time.ts';
import { nextQuestionDue } from './next-question-due.ts';
import type { QuestionOccurrence, Schedule } from './schedule.ts';

/**
 * Which event last set a family's schedule. Events carry the whole schedule, so the
 * latest one wins whatever order they arrive in (ties broken by event id, UUID v7).
 */
export interface ScheduleVersion {
  occurredAt: Temporal.Instant;
  eventId: string;
}

export interface FamilySchedule {
  schedule: Schedule;
  version: ScheduleVersion;
  nextDueAt: Temporal.Instant;
  /** The last local date whose question fired; null before the first. */
  firedThrough: Temporal.PlainDate | null;
}

const isNewer = (candidate: ScheduleVersion, current: ScheduleVersion): boolean => {
  const byTime = Temporal.Instant.compare(candidate.occurredAt, current.occurredAt);
  return byTime > 0 || (byTime === 0 && candidate.eventId > current.eventId);
};

/** What a schedule change does: the family's schedule after it, and a question it announces. */
export interface ScheduleChange extends FamilySchedule {
  /**
   * A question to announce now: `retime` — one announced ahead whose instant has not come,
   * at the new schedule's instant for its date (now, if that has passed); `fire` — today's,
   * still to come under the old schedule, at once because the new time has passed today.
   */
  announce?: { occurrence: QuestionOccurrence; as: 'retime' | 'fire' };
}

/**
 * The family's schedule after FamilyCreated or ScheduleChanged, or null when the change
 * is older than what is already applied (a late or reordered event changes nothing).
 * A change to an existing schedule never loses or doubles a day:
 * - a question already announced ahead of its instant (`announced`, within the lead) keeps
 *   its date and moves to the new time on it (at once, if that has passed);
 * - a day whose question was still to come today fires at once when the new time has
 *   already passed today;
 * - otherwise the change takes effect from the next occurrence, strictly after `now`, never
 *   re-firing a date already fired. A question already due but not yet fired (the tick is
 *   behind, or the service was down) stays due; the tick then applies the new schedule to it.
 */
export function changeSchedule(
  current: FamilySchedule | null,
  change: { schedule: Schedule; version: ScheduleVersion },
  now: Temporal.Instant,
  announced: QuestionOccurrence | null = null,
): ScheduleChange | null {
  if (current === null) {
    // The first question is the first push time after the family came to be, even if
    // the event reached us late; a very late one is then caught up (or skipped) by the tick.
    const since = Temporal.Instant.compare(change.version.occurredAt, now) < 0 ? change.version.occurredAt : now;
    return { ...change, nextDueAt: nextQuestionDue(change.schedule, since).dueAt, firedThrough: null };
  }
  if (!isNewer(change.version, current.version)) return null;
  const overdue = Temporal.Instant.compare(current.nextDueAt, now) <= 0;
  const next = nextQuestionDue(change.schedule, now, current.firedThrough);
  const changed = {
    ...change,
    nextDueAt: overdue ? current.nextDueAt : next.dueAt,
    firedThrough: current.firedThrough,
  };
  if (announced && Temporal.Instant.compare(announced.dueAt, now) > 0) {
    const moved = occurrenceOn(change.schedule, announced.localDate);
    const dueAt = Temporal.Instant.compare(moved, now) > 0 ? moved : now;
    if (dueAt.equals(announced.dueAt)) return changed;
    return { ...changed, announce: { occurrence: { localDate: announced.localDate, dueAt }, as: 'retime' } };
  }
  // Today's question was still to come under the old schedule, and the new time has passed
  // today: it fires now rather than being skipped to tomorrow.
  const today = now.toZonedDateTimeISO(change.schedule.timezone).toPlainDate();
  const todayWasComing =
    !overdue &&
    Temporal.PlainDate.compare(current.nextDueAt.toZonedDateTimeISO(current.schedule.timezone).toPlainDate(), today) <=
      0;
  const todayFired = current.firedThrough !== null && Temporal.PlainDate.compare(current.firedThrough, today) >= 0;
  if (todayWasComing && !todayFired && Temporal.Instant.compare(occurrenceOn(change.schedule, today), now) <= 0) {
    return {
      ...changed,
      nextDueAt: nextQuestionDue(change.schedule, now, today).dueAt,
      firedThrough: today,
      announce: { occurrence: { localDate: today, dueAt: now }, as: 'fire' },
    };
  }
  return changed;
}

const occurrenceOn = (schedule: Schedule, localDate: Temporal.PlainDate): Temporal.Instant =>
  instantOfLocalTime(localDate, Temporal.PlainTime.from(schedule.pushTime), schedule.timezone);
