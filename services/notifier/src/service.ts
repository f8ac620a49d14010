import { createDatabase } from '@haru/db';
import { serveApp } from '@haru/http';
import { startServiceMessaging } from '@haru/messaging';
import { createLogger, type Logger } from '@haru/observability';
import { buildApp } from './app.ts';
import type { NotifierConfig } from './config.ts';
import { type NotifierDatabase, schema } from './database.ts';
import { createEventHandler } from './handle-event.ts';
import { createFirebaseMessaging } from './push/firebase-messaging.ts';

export interface RunningService {
  url: string;
  /** Stops taking work first (HTTP, then the queue), then closes connections. */
  stop(): Promise<void>;
}

/**
 * Starts the whole notifier in this process: database pool, FCM client, the consumer
 * of its queue with the outbox relay, and the internal API. The schema must already
 * be migrated (`migrate.ts`).
 */
export async function startService(
  config: NotifierConfig,
  {
    logger = createLogger('notifier', config.LOG_LEVEL),
    waitTimeSeconds,
  }: { logger?: Logger; waitTimeSeconds?: number } = {},
): Promise<RunningService> {
  const clock = () => new Date();
  const database = createDatabase<NotifierDatabase>({
    url: config.DATABASE_URL,
    schema,
    poolSize: config.DATABASE_POOL_SIZE,
  });
  const fcm = createFirebaseMessaging({
    projectId: config.FIREBASE_PROJECT_ID,
    ...(config.FCM_ENDPOINT_URL ? { fcmEndpointUrl: config.FCM_ENDPOINT_URL } : {}),
  });
  const messaging = await startServiceMessaging({
    service: 'notifier',
    database,
    settings: config,
    logger,
    handle: createEventHandler({ db: database.db, sender: fcm.messaging, logger, clock }),
    ...(waitTimeSeconds ? { waitTimeSeconds } : {}),
  });
  const server = await serveApp(buildApp({ database, logger, internalApiToken: config.INTERNAL_API_TOKEN, clock }), {
    port: config.PORT,
    host: config.HOST,
  });
  logger.info({ url: server.url, fcm: config.FCM_ENDPOINT_URL ?? 'FCM' }, 'notifier started');

  return {
    url: server.url,
    async stop() {
      await server.close();
      await messaging.stop();
      await fcm.close();
      await database.close();
    },
  };
}
