import { createDatabase } from '@haru/db';
import { startDatabaseService } from '@haru/runtime';
import { Hono } from 'hono';
import type { ServiceConfig } from './config.ts';
import { type SchedulerDatabase, schema } from './database.ts';
import { type DueTick, startDueTick } from './due-tick/due-tick.ts';
import { familyScheduleRoutes } from './family-schedule/family-schedule.routes.ts';
import { createEventHandler } from './handle-event.ts';

export interface ServiceOptions {
  /** The clock of the tick and the consumer; tests move it instead of waiting. */
  now?: () => Date;
  /** SQS long-poll wait; shorter in tests so that stopping is quick. */
  waitTimeSeconds?: number;
}

/** The scheduler: schedules, the due-index and its tick, completion joined with time. Migrations run separately. */
export async function startService(config: ServiceConfig, options: ServiceOptions = {}) {
  const now = options.now ?? (() => new Date());
  let dueTick: DueTick | undefined;
  const service = await startDatabaseService<SchedulerDatabase>({
    name: 'scheduler',
    schema,
    config,
    ...(options.waitTimeSeconds ? { waitTimeSeconds: options.waitTimeSeconds } : {}),
    routes: ({ database }) => schedulerRoutes(database.db),
    handle: ({ database }) => createEventHandler({ db: database.db, now }),
    background: ({ logger }) => {
      // The tick gets a pool of its own. The old system's failure was scheduled work and
      // requests sharing one pool: a flood of due families must not starve the API and the
      // consumer of connections, nor they the tick. Each side is bounded separately.
      const tickDatabase = createDatabase<SchedulerDatabase>({
        url: config.DATABASE_URL,
        schema,
        poolSize: config.SCHEDULER_TICK_POOL_SIZE,
      });
      const tick = startDueTick({
        db: tickDatabase.db,
        logger,
        now,
        intervalMs: config.SCHEDULER_TICK_MS,
        batchSize: config.SCHEDULER_TICK_BATCH_SIZE,
        catchUpWindowMinutes: config.SCHEDULER_CATCH_UP_WINDOW_MINUTES,
      });
      dueTick = tick;
      return {
        async stop() {
          await tick.stop();
          await tickDatabase.close();
        },
      };
    },
  });
  if (!dueTick) throw new Error('the due tick did not start');
  return { ...service, dueTick };
}

export type RunningService = Awaited<ReturnType<typeof startService>>;

/** The internal API the gateway may call: a family's schedule. */
export const schedulerRoutes = (db: Parameters<typeof familyScheduleRoutes>[0]['db']) =>
  new Hono().route('/families', familyScheduleRoutes({ db }));
