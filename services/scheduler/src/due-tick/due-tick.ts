import { startPollingLoop } from '@haru/db';
import type { Logger } from '@haru/observability';
import type { Kysely } from 'kysely';
import type { SchedulerDatabase } from '../database.ts';
import { fireDuePushes } from './fire-due-pushes.ts';
import { fireDueQuestions } from './fire-due-questions.ts';

export interface DueTickOptions {
  /** The tick's own database handle (its own pool; see service.ts). */
  db: Kysely<SchedulerDatabase>;
  logger: Logger;
  now: () => Date;
  intervalMs: number;
  batchSize: number;
  catchUpWindowMinutes: number;
}

export interface DueTick {
  /** Fires everything due now, batch after batch until the index is drained. */
  tickOnce(): Promise<{ questions: number; pushes: number }>;
  stop(): Promise<void>;
}

/**
 * The scheduler's one timer: every `intervalMs` it drains the due-index. No per-family
 * timers exist, so memory does not grow with families, and any number of replicas may
 * run this loop on the same database.
 */
export function startDueTick(options: DueTickOptions): DueTick {
  const { db, logger, now, intervalMs, batchSize, catchUpWindowMinutes } = options;

  const drain = async (fireBatch: () => Promise<{ claimed: number; fired: number }>) => {
    let fired = 0;
    for (;;) {
      const batch = await fireBatch();
      fired += batch.fired;
      if (batch.claimed < batchSize) return fired;
    }
  };

  const tickOnce = async () => {
    const questions = await drain(() => fireDueQuestions(db, { now: now(), batchSize, catchUpWindowMinutes }));
    const pushes = await drain(() => fireDuePushes(db, { now: now(), batchSize }));
    if (questions + pushes > 0) logger.info({ questions, pushes }, 'due tick fired');
    return { questions, pushes };
  };

  const loop = startPollingLoop({
    name: 'due tick',
    intervalMs,
    logger,
    runOnce: async () => {
      await tickOnce();
    },
  });

  return {
    tickOnce,
    stop: () => loop.stop(),
  };
}
