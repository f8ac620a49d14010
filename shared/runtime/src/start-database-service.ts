import type { DomainEvent } from '@haru/contracts';
import {
  checkDatabaseAnswers,
  checkSchemaMigrated,
  createDatabase,
  type Database,
  isDatabaseUnreachable,
  type MigrationSet,
} from '@haru/db';
import { HaruError } from '@haru/errors';
import { healthRoutes, observedApp, problemHandler, problemJson, requireServiceToken, serveApp } from '@haru/http';
import {
  type ConsumerName,
  type MessagingSettings,
  type MessagingTables,
  type ServiceMessaging,
  startServiceMessaging,
} from '@haru/messaging';
import { createLogger, createMetrics, type Logger, type Metrics } from '@haru/observability';
import type { Hono } from 'hono';
import { type Kysely, sql } from 'kysely';
import { inboxRetention, type RetentionStep, startRetentionSweep } from './retention-sweep.ts';

export interface ServiceConfig extends MessagingSettings {
  LOG_LEVEL: string;
  DATABASE_URL: string;
  DATABASE_POOL_SIZE: number;
  DATABASE_WAIT_MS: number;
  INTERNAL_API_TOKEN: string;
  INTERNAL_API_TOKEN_PREVIOUS?: string | undefined;
  PORT: number;
  HOST: string;
  RETENTION_DAYS: number;
  RETENTION_SWEEP_INTERVAL_MS: number;
}

export interface ServiceContext<DB> {
  database: Database<DB>;
  logger: Logger;
  /** The process's metrics registry, served at `GET /metrics`. */
  metrics: Metrics;
}

export interface ServiceDefinition<DB extends MessagingTables> {
  name: ConsumerName;
  schema: string;
  /** The schema's migrations: the service starts only on a schema that has them all. */
  migrations: MigrationSet;
  config: ServiceConfig;
  /** The service's internal API, mounted at /internal behind the gateway's service credential. */
  routes: (context: ServiceContext<DB>) => Hono;
  /** Handles events from the service's queue; omitted by services that only publish. */
  handle?: (context: ServiceContext<DB>) => (event: DomainEvent) => Promise<void>;
  /** Work of its own (e.g. a tick loop), stopped before messaging and the database. */
  background?: (context: ServiceContext<DB>) => { stop(): Promise<void> };
  /** What the service lets go after RETENTION_DAYS besides its inbox (swept with it, see retention-sweep.ts). */
  retention?: readonly RetentionStep[];
  /** Clients of the service's own (e.g. firebase-admin), closed after consuming stops. */
  closeAtEnd?: Array<() => Promise<void>>;
  /** Long-polling wait; tests shorten it so that stopping is quick. */
  waitTimeSeconds?: number;
}

export interface RunningService<DB> extends ServiceContext<DB> {
  url: string;
  messaging: ServiceMessaging;
  /** Stop steps in order: stop taking requests, stop background work, retention and consumers, close the pool. */
  stops: Array<() => Promise<void>>;
  stop(): Promise<void>;
}

/**
 * What every service with a database runs: its PostgreSQL pool (in its own schema),
 * the outbox relay and its queue's consumer, its background work and its HTTP API
 * with health checks and problem+json errors. It starts only when its database answers,
 * its schema is migrated, its topic and queues exist and its port is free; otherwise it
 * stops what it started and throws one sentence saying which (see runCommand).
 */
export async function startDatabaseService<DB extends MessagingTables>(
  definition: ServiceDefinition<DB>,
): Promise<RunningService<DB>> {
  const { name, schema, config } = definition;
  const logger = createLogger(name, config.LOG_LEVEL);
  const database = createDatabase<DB>({ url: config.DATABASE_URL, schema, poolSize: config.DATABASE_POOL_SIZE });
  const metrics = createMetrics(name);
  const context = { database, logger, metrics };
  // Filled from the end as each part starts: what to stop, in order, on the way out.
  const stops: Array<() => Promise<void>> = [...(definition.closeAtEnd ?? []), database.close];
  const stop = async () => {
    for (const step of stops) await step();
  };
  try {
    await checkDatabaseAnswers(database, { waitMs: config.DATABASE_WAIT_MS, logger });
    await checkSchemaMigrated(database, definition.migrations);
    const messaging = await startServiceMessaging({
      service: name,
      database: database as unknown as Database<MessagingTables>,
      settings: config,
      logger,
      metrics,
      ...(definition.handle ? { handle: definition.handle(context) } : {}),
      ...(definition.waitTimeSeconds ? { waitTimeSeconds: definition.waitTimeSeconds } : {}),
    });
    stops.unshift(messaging.stop);
    const retention = startRetentionSweep({
      db: database.db as unknown as Kysely<unknown>,
      steps: [inboxRetention, ...(definition.retention ?? [])],
      retentionDays: config.RETENTION_DAYS,
      intervalMs: config.RETENTION_SWEEP_INTERVAL_MS,
      logger,
      metrics,
    });
    stops.unshift(retention.stop);
    const background = definition.background?.(context);
    if (background) stops.unshift(() => background.stop());

    const app = serviceApp({
      ...context,
      routes: definition.routes(context),
      internalApiToken: config.INTERNAL_API_TOKEN,
      previousInternalApiToken: config.INTERNAL_API_TOKEN_PREVIOUS,
    });
    const server = await serveApp(app, { port: config.PORT, host: config.HOST });
    stops.unshift(server.close);
    logger.info({ url: server.url }, `${name} service ready`);
    return { ...context, url: server.url, messaging, stops, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * A service's whole HTTP surface: request observation and metrics, health checks, its
 * internal API (only for callers with the gateway's credential), errors as problem+json.
 */
export function serviceApp<DB>({
  database,
  logger,
  metrics,
  routes,
  internalApiToken,
  previousInternalApiToken,
}: ServiceContext<DB> & { routes: Hono; internalApiToken: string; previousInternalApiToken?: string | undefined }) {
  const app = observedApp({ logger, metrics, internalApiToken, previousInternalApiToken })
    .route('/', healthRoutes({ ready: () => databaseAnswers(database) }))
    .use('/internal/*', requireServiceToken({ token: internalApiToken, previousToken: previousInternalApiToken }))
    .route('/internal', routes);
  app.notFound((c) => problemJson(c, 'not-found', 'no such route'));
  const problem = problemHandler(logger);
  // A database out of reach (a restart, a failover) passes: the caller is told to try again.
  app.onError((error, c) =>
    problem(
      isDatabaseUnreachable(error)
        ? new HaruError('unavailable', 'the service cannot reach its database; try again shortly', {}, { cause: error })
        : error,
      c,
    ),
  );
  return app;
}

const databaseAnswers = async <DB>(database: Database<DB>): Promise<boolean> => {
  await sql`select 1`.execute(database.db);
  return true;
};
