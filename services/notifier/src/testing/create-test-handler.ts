import type { DomainEvent, EventType } from '@haru/contracts';
import type { Database } from '@haru/db';
import { createLogger } from '@haru/observability';
import type { NotifierDatabase } from '../database.ts';
import { registerDevice } from '../devices/device-repository.ts';
import { createEventHandler } from '../handle-event.ts';
import type { DeliveryDeps } from '../notifications/deliver-notification.ts';
import type { PushSender } from '../notifications/push-sender.ts';
import { sendDueRetries } from '../notifications/retry-sweep.ts';
import { createFirebaseMessaging } from '../push/firebase-messaging.ts';
import { migratedTestDatabase } from './migrated-test-database.ts';

export interface TestHandler {
  /** The notifier's event handler, called as its queue consumer would. */
  handle(event: DomainEvent): Promise<void>;
  /** One round of the retry sweep, as the service runs it; resolves with the notifications visited. */
  sweep(): Promise<number>;
  database: Database<NotifierDatabase>;
  registerDevice(uid: string, token: string): Promise<void>;
  /** Events of a type the handler appended to the outbox (no relay runs here). */
  emitted<Type extends EventType>(type: Type): Promise<Array<Extract<DomainEvent, { type: Type }>>>;
  close(): Promise<void>;
}

/**
 * The notifier's event handling without the queue: a fresh database, and firebase-admin
 * sending to the shared local FCM endpoint (or `sender` instead).
 */
export async function createTestHandler(
  options: { sender?: PushSender } & Partial<
    Pick<DeliveryDeps, 'clock' | 'sleep' | 'random' | 'attemptsPerPass' | 'maxAttempts'>
  > = {},
): Promise<TestHandler> {
  const { database } = await migratedTestDatabase();
  const fcm = createFirebaseMessaging({
    projectId: process.env.FIREBASE_PROJECT_ID ?? 'demo-haru',
    fcmEndpointUrl: process.env.HARU_TEST_FCM_URL,
  });
  const { sender = fcm.messaging, ...rest } = options;
  const logger = createLogger('notifier-test', process.env.LOG_LEVEL ?? 'silent');
  const deps: DeliveryDeps = { db: database.db, sender, logger, clock: () => new Date(), ...rest };
  return {
    handle: createEventHandler(deps),
    sweep: () => sendDueRetries(deps),
    database,
    registerDevice: (uid, token) => registerDevice(database.db, { token, uid, platform: 'android' }, new Date()),
    async emitted(type) {
      const rows = await database.db
        .selectFrom('outbox')
        .select('envelope')
        .where('type', '=', type)
        .orderBy('position')
        .execute();
      return rows.map((row) => row.envelope as Extract<DomainEvent, { type: typeof type }>);
    },
    async close() {
      await fcm.close();
      await database.close();
    },
  };
}
