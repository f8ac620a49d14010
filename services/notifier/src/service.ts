import { createDatabase, type Database } from '@haru/db';
import { startDatabaseService } from '@haru/runtime';
import { Hono } from 'hono';
import type { NotifierConfig } from './config.ts';
import { type NotifierDatabase, schema } from './database.ts';
import { deviceRoutes } from './devices/device-routes.ts';
import { createEventHandler } from './handle-event.ts';
import { notificationRoutes } from './notifications/notification-routes.ts';
import type { PushSender } from './notifications/push-sender.ts';
import { startRetrySweep } from './notifications/retry-sweep.ts';
import { countResults } from './push/count-results.ts';
import { createFirebaseMessaging } from './push/firebase-messaging.ts';

export interface ServiceOptions {
  /** SQS long-poll wait; shorter in tests so that stopping is quick. */
  waitTimeSeconds?: number;
  /** Sends pushes instead of firebase-admin (tests that need FCM to misbehave). */
  sender?: PushSender;
}

/**
 * The notifier: devices and recipients, every push through firebase-admin (to the local
 * FCM endpoint when FCM_ENDPOINT_URL is set), and the sweep that sends deliveries left
 * pending once they are due again. The schema must be migrated first.
 */
export async function startService(config: NotifierConfig, options: ServiceOptions = {}) {
  const clock = () => new Date();
  const fcm = createFirebaseMessaging({
    projectId: config.FIREBASE_PROJECT_ID,
    ...(config.FCM_ENDPOINT_URL ? { fcmEndpointUrl: config.FCM_ENDPOINT_URL } : {}),
  });
  const provider = options.sender ?? fcm.messaging;
  return startDatabaseService<NotifierDatabase>({
    name: 'notifier',
    schema,
    config,
    ...(options.waitTimeSeconds ? { waitTimeSeconds: options.waitTimeSeconds } : {}),
    routes: ({ database }) => notifierRoutes({ database, clock }),
    handle: ({ database, logger, metrics }) =>
      createEventHandler({ db: database.db, sender: countResults(provider, metrics), logger, clock }),
    background: ({ logger, metrics }) => {
      // Retries get a pool of their own, so that a backlog of them (after an FCM outage)
      // never takes the connections the consumer and the API need, nor they its.
      const sweepDatabase = createDatabase<NotifierDatabase>({
        url: config.DATABASE_URL,
        schema,
        poolSize: config.DELIVERY_RETRY_POOL_SIZE,
      });
      const sweep = startRetrySweep({
        db: sweepDatabase.db,
        sender: countResults(provider, metrics),
        logger,
        clock,
        intervalMs: config.DELIVERY_RETRY_INTERVAL_MS,
        concurrency: config.DELIVERY_RETRY_POOL_SIZE,
      });
      return {
        async stop() {
          await sweep.stop();
          await sweepDatabase.close();
        },
      };
    },
    closeAtEnd: [fcm.close],
  });
}

/** The internal API the gateway calls: the caller's devices and a family's delivery log. */
export const notifierRoutes = ({ database, clock }: { database: Database<NotifierDatabase>; clock: () => Date }) =>
  new Hono().route('/devices', deviceRoutes({ database, clock })).route('/families', notificationRoutes({ database }));
