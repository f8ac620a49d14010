import { createDatabase } from '@haru/db';
import { serveApp } from '@haru/http';
import { type ServiceMessaging, startServiceMessaging } from '@haru/messaging';
import { createLogger, type Logger } from '@haru/observability';
import { buildApp } from './app.ts';
import type { ServiceConfig } from './config.ts';
import { type SchedulerDatabase, schema } from './database.ts';
import { type DueTick, startDueTick } from './due-tick/due-tick.ts';
import { createEventHandler } from './handle-event.ts';

export interface ServiceOptions {
  logger?: Logger;
  /** The clock of the tick and the consumer; tests move it instead of waiting. */
  now?: () => Date;
  /** SQS long-poll wait; shorter in tests so that stopping is quick. */
  consumerWaitTimeSeconds?: number;
}

export interface RunningService {
  url: string;
  messaging: ServiceMessaging;
  dueTick: DueTick;
  /** Stops taking work first (HTTP, tick, queue), then closes the pools. */
  stop(): Promise<void>;
}

/** Starts the whole scheduler: consumer, outbox relay, due tick and HTTP API. Migrations run separately. */
export async function startService(config: ServiceConfig, options: ServiceOptions = {}): Promise<RunningService> {
  const logger = options.logger ?? createLogger('scheduler', config.LOG_LEVEL);
  const now = options.now ?? (() => new Date());

  const database = createDatabase<SchedulerDatabase>({
    url: config.DATABASE_URL,
    schema,
    poolSize: config.DATABASE_POOL_SIZE,
  });
  // The tick gets a pool of its own. The old system's failure was scheduled work and
  // requests sharing one pool: a flood of due families must not starve the API and the
  // consumer of connections, nor they the tick. Each side is bounded separately.
  const tickDatabase = createDatabase<SchedulerDatabase>({
    url: config.DATABASE_URL,
    schema,
    poolSize: config.SCHEDULER_TICK_POOL_SIZE,
  });

  const messaging = await startServiceMessaging({
    service: 'scheduler',
    database,
    settings: config,
    logger,
    handle: createEventHandler({ db: database.db, now }),
    ...(options.consumerWaitTimeSeconds ? { waitTimeSeconds: options.consumerWaitTimeSeconds } : {}),
  });
  const dueTick = startDueTick({
    db: tickDatabase.db,
    logger,
    now,
    intervalMs: config.SCHEDULER_TICK_MS,
    batchSize: config.SCHEDULER_TICK_BATCH_SIZE,
    catchUpWindowMinutes: config.SCHEDULER_CATCH_UP_WINDOW_MINUTES,
  });
  const server = await serveApp(buildApp({ db: database.db, logger, internalApiToken: config.INTERNAL_API_TOKEN }), {
    port: config.PORT,
    host: config.HOST,
  });
  logger.info({ url: server.url }, 'scheduler started');

  return {
    url: server.url,
    messaging,
    dueTick,
    async stop() {
      let t = Date.now();
      const lap = (what: string) => {
        logger.info({ what, ms: Date.now() - t }, 'lap');
        t = Date.now();
      };
      await server.close();
      lap('server');
      await dueTick.stop();
      lap('tick');
      await messaging.stop();
      lap('messaging');
      await tickDatabase.close();
      lap('tickdb');
      await database.close();
      lap('db');
    },
  };
}
