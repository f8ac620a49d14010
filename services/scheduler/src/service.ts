import { createDatabase } from '@haru/db';
import { serviceClient } from '@haru/http';
import { startDatabaseService } from '@haru/runtime';
import { Hono } from 'hono';
import type { SchedulerConfig } from './config.ts';
import { type SchedulerDatabase, schema } from './database.ts';
import { type DueTick, firedAnnouncer, startDueTick } from './due-tick/due-tick.ts';
import { familyScheduleRoutes } from './family-schedule/family-schedule-routes.ts';
import { createEventHandler } from './handle-event.ts';
import { migrations } from './migrations/index.ts';
import { projectionAwaitedMembers } from './question-pushes/awaited-members.ts';
import { firedQuestionRetention, settledQuestionRetention } from './retention/scheduler-retention.ts';

export interface ServiceOptions {
  /** The clock of the tick and the consumer; tests move it instead of waiting. */
  now?: () => Date;
  /** SQS long-poll wait; shorter in tests so that stopping is quick. */
  waitTimeSeconds?: number;
}

/**
 * The scheduler: schedules, the due-index and its tick, and the pushes that follow a
 * question ("everyone answered", reminders) joined with time. Migrations run separately.
 *
 * The old system's failure was scheduled work and requests sharing one pool. Here the
 * tick, the consumer and the HTTP API each draw on a connection pool of their own, so a
 * flood of due rows cannot starve the API or the consumer, nor they the tick:
 * - HTTP API (and the outbox relay): `DATABASE_POOL_SIZE` connections;
 * - consumer: `CONSUMER_CONCURRENCY` messages at once, one connection each;
 * - tick: `SCHEDULER_TICK_POOL_SIZE` connections (one tick loop per replica).
 */
export async function startService(config: SchedulerConfig, options: ServiceOptions = {}) {
  const now = options.now ?? (() => new Date());
  const consumerDatabase = createDatabase<SchedulerDatabase>({
    url: config.DATABASE_URL,
    schema,
    poolSize: config.CONSUMER_CONCURRENCY,
    job: 'consumer',
  });
  let dueTick: DueTick | undefined;
  try {
    const service = await startDatabaseService<SchedulerDatabase>({
      name: 'scheduler',
      schema,
      migrations,
      config,
      ...(options.waitTimeSeconds ? { waitTimeSeconds: options.waitTimeSeconds } : {}),
      routes: ({ database }) => schedulerRoutes(database.db),
      retention: [
        firedQuestionRetention({ catchUpWindowMinutes: config.SCHEDULER_CATCH_UP_WINDOW_MINUTES }),
        settledQuestionRetention,
      ],
      handle: ({ logger, metrics }) =>
        createEventHandler({
          db: consumerDatabase.db,
          now,
          leadMs: config.SCHEDULER_LEAD_MS,
          announce: firedAnnouncer({ logger, metrics }),
        }),
      background: ({ logger, metrics }) => {
        const tickDatabase = createDatabase<SchedulerDatabase>({
          url: config.DATABASE_URL,
          schema,
          poolSize: config.SCHEDULER_TICK_POOL_SIZE,
          job: 'tick',
        });
        const tick = startDueTick({
          db: tickDatabase.db,
          logger,
          metrics,
          now,
          intervalMs: config.SCHEDULER_TICK_MS,
          batchSize: config.SCHEDULER_TICK_BATCH_SIZE,
          catchUpWindowMinutes: config.SCHEDULER_CATCH_UP_WINDOW_MINUTES,
          leadMs: config.SCHEDULER_LEAD_MS,
          maxLeadMs: config.SCHEDULER_MAX_LEAD_MS,
          prepareRate: config.SCHEDULER_PREPARE_RATE,
          awaitedMembers: projectionAwaitedMembers(serviceClient(config.PROJECTION_URL, config.INTERNAL_API_TOKEN)),
        });
        dueTick = tick;
        return {
          async stop() {
            await tick.stop();
            await tickDatabase.close();
          },
        };
      },
      // After the consumer has stopped (in-flight handlers finished).
      closeAtEnd: [consumerDatabase.close],
    });
    if (!dueTick) throw new Error('the due tick did not start');
    return { ...service, dueTick };
  } catch (error) {
    await consumerDatabase.close();
    throw error;
  }
}

export type RunningService = Awaited<ReturnType<typeof startService>>;

/** The internal API the gateway may call: a family's schedule. */
export const schedulerRoutes = (db: Parameters<typeof familyScheduleRoutes>[0]['db']) =>
  new Hono().route('/families', familyScheduleRoutes({ db }));
