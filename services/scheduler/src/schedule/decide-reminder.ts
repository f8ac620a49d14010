import type { Temporal } from 'temporal-polyfill';

/** What the scheduler knows of a question when its reminder comes due. */
export interface ReminderAudience {
  /** The members who were active when the question opened. */
  requiredMemberIds: readonly string[];
  answeredMemberIds: readonly string[];
  /** Members of the family who have left (leaving is for good: member ids are never reused). */
  departedMemberIds: readonly string[];
  /** Whether the projection has reported the question complete. */
  complete: boolean;
}

export type ReminderSkipReason = 'complete' | 'everyone-answered' | 'stale';

export type ReminderDecision = { remind: string[] } | { skip: ReminderSkipReason };

/**
 * Whom a due reminder goes to: the required members who have neither answered nor left.
 * It is skipped when the question is complete (reported, or every required member has
 * answered or left, whichever the scheduler learnt first), and when it is older than the
 * catch-up window, so that an outage does not end in a burst of stale reminders.
 */
export function decideReminder(
  audience: ReminderAudience,
  {
    dueAt,
    now,
    catchUpWindowMinutes,
  }: { dueAt: Temporal.Instant; now: Temporal.Instant; catchUpWindowMinutes: number },
): ReminderDecision {
  if (audience.complete) return { skip: 'complete' };
  if (now.epochMilliseconds - dueAt.epochMilliseconds > catchUpWindowMinutes * 60_000) return { skip: 'stale' };
  const done = new Set([...audience.answeredMemberIds, ...audience.departedMemberIds]);
  const remind = audience.requiredMemberIds.filter((memberId) => !done.has(memberId));
  return remind.length > 0 ? { remind } : { skip: 'everyone-answered' };
}
