import { Temporal } from 'temporal-polyfill';
import { latestQuestionDue, nextQuestionDue } from './next-question-due.ts';
import type { QuestionOccurrence, Schedule } from './schedule.ts';

export interface DueQuestionDecision {
  /** The question to announce now, or null when there is none (already fired, or too stale). */
  fire: QuestionOccurrence | null;
  /** Where the family's due-index entry moves to: always strictly after `now`. */
  next: QuestionOccurrence;
}

/**
 * What the tick does for a family whose due instant has come. It announces the latest
 * question due by `now`, unless that local date already fired or it is older than the
 * catch-up window; older missed days are never announced. So after an outage each family
 * gets at most one question (the latest), and only if it is still fresh.
 */
export function decideDueQuestion(
  schedule: Schedule,
  {
    now,
    firedThrough,
    catchUpWindowMinutes,
  }: { now: Temporal.Instant; firedThrough: Temporal.PlainDate | null; catchUpWindowMinutes: number },
): DueQuestionDecision {
  const latest = latestQuestionDue(schedule, now);
  const alreadyFired = firedThrough !== null && Temporal.PlainDate.compare(latest.localDate, firedThrough) <= 0;
  const lateByMs = now.epochMilliseconds - latest.dueAt.epochMilliseconds;
  const fire = !alreadyFired && lateByMs <= catchUpWindowMinutes * 60_000 ? latest : null;
  return { fire, next: nextQuestionDue(schedule, now, fire?.localDate ?? firedThrough) };
}
