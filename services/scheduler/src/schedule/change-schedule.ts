import { Temporal } from 'temporal-polyfill';
import { nextQuestionDue } from './next-question-due.ts';
import type { Schedule } from './schedule.ts';

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

/**
 * The family's schedule after FamilyCreated or ScheduleChanged, or null when the change
 * is older than what is already applied (a late or reordered event changes nothing).
 * A change to an existing schedule takes effect from the next occurrence: the due instant is recomputed strictly
 * after `now`, never re-firing a date already fired. A question already due but not yet
 * fired (the tick is behind, or the service was down) stays due, so that no day is lost
 * to a change made while it was pending; the tick then applies the new schedule to it.
 */
export function changeSchedule(
  current: FamilySchedule | null,
  change: { schedule: Schedule; version: ScheduleVersion },
  now: Temporal.Instant,
): FamilySchedule | null {
  if (current === null) {
    // The first question is the first push time after the family came to be, even if
    // the event reached us late; a very late one is then caught up (or skipped) by the tick.
    const since = Temporal.Instant.compare(change.version.occurredAt, now) < 0 ? change.version.occurredAt : now;
    return { ...change, nextDueAt: nextQuestionDue(change.schedule, since).dueAt, firedThrough: null };
  }
  if (!isNewer(change.version, current.version)) return null;
  const overdue = Temporal.Instant.compare(current.nextDueAt, now) <= 0;
  return {
    ...change,
    nextDueAt: overdue ? current.nextDueAt : nextQuestionDue(change.schedule, now, current.firedThrough).dueAt,
    firedThrough: current.firedThrough,
  };
}
