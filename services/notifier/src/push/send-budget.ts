import type { Executor } from '@haru/db';
import { sql } from 'kysely';
import type { NotifierDatabase } from '../database.ts';

/** Takes sends from the Firebase project's FCM budget before they are made. */
export interface SendBudget {
  /** Resolves when `count` sends may go out: at once while the budget lasts, later once it is spent. */
  take(count: number): Promise<void>;
}

/**
 * FCM allows each Firebase project so many messages a minute (600,000 by default), whatever
 * number of senders share it. This budget is one token bucket per project in PostgreSQL,
 * shared by every notifier replica: it refills at `perMinute / 60` a second up to one
 * second's worth, each take subtracts its sends in one statement, and a take that leaves it
 * below zero waits until the debt is paid. So a burst larger than the quota is smoothed to
 * the quota's rate instead of being refused with QUOTA_EXCEEDED; concurrent takers queue up
 * behind each other's debt, each waiting its share.
 */
export function sendBudget(
  db: Executor<NotifierDatabase>,
  {
    projectId,
    perMinute,
    sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  }: { projectId: string; perMinute: number; sleep?: (ms: number) => Promise<unknown> },
): SendBudget {
  const perSecond = perMinute / 60;
  const capacity = perSecond;
  return {
    async take(count) {
      const { rows } = await sql<{ available: number }>`
        insert into send_budget as budget (project_id, available, refilled_at)
        values (${projectId}, ${capacity - count}, clock_timestamp())
        on conflict (project_id) do update set
          available = least(${capacity}::float8,
            budget.available + extract(epoch from clock_timestamp() - budget.refilled_at) * ${perSecond}::float8)
            - ${count}::float8,
          refilled_at = clock_timestamp()
        returning available`.execute(db);
      const owed = -(rows[0]?.available ?? 0);
      if (owed > 0) await sleep((owed / perSecond) * 1000);
    },
  };
}
