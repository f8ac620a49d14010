/** The scheduler's settings that decide how early it announces a burst. */
export interface SchedulerPace {
  /** The least time ahead a push is announced (SCHEDULER_LEAD_MS). */
  leadMs: number;
  /** Families a second the scheduler counts on being prepared (SCHEDULER_PREPARE_RATE). */
  prepareRate: number;
}

/**
 * How far ahead of now a burst of questions is set. A burst that preparing would not fit in
 * the lead (100,000 families) is announced earlier by the scheduler, as early as preparing it
 * at `prepareRate` needs, once it counts the crowd (at the start of a minute): the instant is
 * set past that, so that the run shows the scheduler's own defaults at work. Smaller bursts
 * are set within the lead, announced at once, to keep the run short.
 */
export function questionsAheadSeconds(families: number, { leadMs, prepareRate }: SchedulerPace): number {
  const preparingSeconds = families / prepareRate;
  if (preparingSeconds > leadMs / 1000) return leadMs / 1000 + preparingSeconds + 80;
  return families <= 1_000 ? 60 : families <= 10_000 ? 180 : 300;
}

/**
 * How far ahead of now the same families' reminders are set: the lead and a minute, so that
 * the scheduler claims them within the lead as on any day; and a crowd that the scheduler
 * announces earlier than the lead, as far ahead as its questions, so that its own count has
 * the time it asks for, as on a day when they fall due 180 minutes after their questions.
 * (Set 6 minutes ahead, 100,000 reminders were announced all at once, where the count asks
 * for 27, and the last were still being prepared at their instant.)
 */
export function remindersAheadSeconds(families: number, pace: SchedulerPace): number {
  return Math.max(pace.leadMs / 1000 + 60, questionsAheadSeconds(families, pace));
}

/** The first whole minute at least `seconds` after `now` (epoch ms): push times fall on whole minutes. */
export function wholeMinuteAfter(now: number, seconds: number): Date {
  return new Date(Math.ceil((now + seconds * 1000) / 60_000) * 60_000);
}
