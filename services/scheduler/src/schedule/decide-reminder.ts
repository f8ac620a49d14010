import type { Temporal } from 'temporal-polyfill';

/** What the projection, which keeps who answered, says of a question when its reminder comes due. */
export interface ReminderAudience {
  /** The required members who have neither answered nor left. */
  awaitedMemberIds: readonly string[];
  /** Whether the projection has found the question complete. */
  complete: boolean;
}

export type ReminderSkipReason = 'complete' | 'everyone-answered' | 'stale';

/**
 * `wait`: the projection has not seen the question open yet (it lags), so the reminder
 * stays due and is decided on a later tick, until it turns stale.
 */
export type ReminderDecision = { remind: string[] } | { skip: ReminderSkipReason } | { wait: true };

/**
 * Whom a due reminder goes to: the members the projection still awaits. It is skipped
 * when the question is complete or nobody is awaited any more, and when it is older than
 * the catch-up window, so that an outage does not end in a burst of stale reminders.
 */
export function decideReminder(
  audience: ReminderAudience | undefined,
  {
    dueAt,
    now,
    catchUpWindowMinutes,
  }: { dueAt: Temporal.Instant; now: Temporal.Instant; catchUpWindowMinutes: number },
): ReminderDecision {
  if (isStale(dueAt, { now, catchUpWindowMinutes })) return { skip: 'stale' };
  if (audience === undefined) return { wait: true };
  if (audience.complete) return { skip: 'complete' };
  return audience.awaitedMemberIds.length > 0
    ? { remind: [...audience.awaitedMemberIds] }
    : { skip: 'everyone-answered' };
}

/** A reminder older than the catch-up window is dropped: it would reach nobody in time. */
export const isStale = (
  dueAt: Temporal.Instant,
  { now, catchUpWindowMinutes }: { now: Temporal.Instant; catchUpWindowMinutes: number },
): boolean => now.epochMilliseconds - dueAt.epochMilliseconds > catchUpWindowMinutes * 60_000;
