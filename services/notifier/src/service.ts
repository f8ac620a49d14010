import type { Database } from '@haru/db';
import { startDatabaseService } from '@haru/runtime';
import { Hono } from 'hono';
import type { NotifierConfig } from './config.ts';
import { type NotifierDatabase, schema } from './database.ts';
import { deviceRoutes } from './devices/device-routes.ts';
import { createEventHandler } from './handle-event.ts';
import { notificationRoutes } from './notifications/notification-routes.ts';
import { createFirebaseMessaging } from './push/firebase-messaging.ts';

/**
 * The notifier: devices and recipients, and every push through firebase-admin (to the
 * local FCM endpoint when FCM_ENDPOINT_URL is set). The schema must be migrated first.
 */
export async function startService(config: NotifierConfig, options: { waitTimeSeconds?: number } = {}) {
  const clock = () => new Date();
  const fcm = createFirebaseMessaging({
    projectId: config.FIREBASE_PROJECT_ID,
    ...(config.FCM_ENDPOINT_URL ? { fcmEndpointUrl: config.FCM_ENDPOINT_URL } : {}),
  });
  return startDatabaseService<NotifierDatabase>({
    name: 'notifier',
    schema,
    config,
    ...options,
    routes: ({ database }) => notifierRoutes({ database, clock }),
    handle: ({ database, logger }) => createEventHandler({ db: database.db, sender: fcm.messaging, logger, clock }),
    closeAtEnd: [fcm.close],
  });
}

/** The internal API the gateway calls: the caller's devices and a family's delivery log. */
export const notifierRoutes = ({ database, clock }: { database: Database<NotifierDatabase>; clock: () => Date }) =>
  new Hono().route('/devices', deviceRoutes({ database, clock })).route('/families', notificationRoutes({ database }));
