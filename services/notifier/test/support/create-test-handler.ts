import type { DomainEvent, EventType } from '@haru/contracts';
import type { Database } from '@haru/db';
import { createLogger, createMetrics } from '@haru/observability';
import type { NotifierDatabase } from '../../src/database.ts';
import { registerDevice } from '../../src/devices/device.repository.ts';
import { createEventHandler } from '../../src/handle-event.ts';
import { addDeliveriesToPreparedPushes } from '../../src/notifications/delivery.repository.ts';
import { deliveryMetrics } from '../../src/notifications/delivery-metrics.ts';
import { type DueDeliverySenderOptions, startDueDeliverySender } from '../../src/notifications/due-delivery-sender.ts';
import { senderDatabase } from '../../src/notifications/sender-database.ts';
import { createFirebaseMessaging } from '../../src/push/firebase-messaging.ts';
import type { PushSender } from '../../src/push/push-sender.ts';
import { sendBudget } from '../../src/push/send-budget.ts';
import { migratedTestDatabase } from './migrated-test-database.ts';

export interface TestHandler {
  /** The notifier's event handler, called as its queue consumer would: it prepares pushes. */
  handle(event: DomainEvent): Promise<void>;
  /** One round of the due-delivery sender: sends what is due now; resolves with the deliveries settled. */
  send(): Promise<number>;
  database: Database<NotifierDatabase>;
  /** Another replica's sender on the same database, run by the test like `send`. */
  startReplica(): Promise<{ send(): Promise<number>; stop(): Promise<void> }>;
  /** Registers a device as the internal API does. */
  registerDevice(uid: string, token: string): Promise<void>;
  /** Events of a type the notifier appended to the outbox (no relay runs here). */
  emitted<Type extends EventType>(type: Type): Promise<Array<Extract<DomainEvent, { type: Type }>>>;
  close(): Promise<void>;
}

/**
 * The notifier's event handling and sending without the queue or the sender's own loop: a
 * fresh database, and firebase-admin sending to the shared local FCM endpoint (or `sender`
 * instead). The test decides when the sender runs (`send`).
 */
export async function createTestHandler(
  options: { sender?: PushSender; budgetPerMinute?: number; clock?: () => Date } & Partial<
    Pick<
      DueDeliverySenderOptions,
      'random' | 'maxAttempts' | 'batchSize' | 'headStartMs' | 'batchesAhead' | 'concurrency'
    >
  > = {},
): Promise<TestHandler> {
  const { url, database } = await migratedTestDatabase();
  const fcm = createFirebaseMessaging({
    projectId: process.env.FIREBASE_PROJECT_ID ?? 'demo-haru',
    fcmEndpointUrl: process.env.HARU_TEST_FCM_URL,
  });
  const { sender: push = fcm.messaging, clock = () => new Date(), budgetPerMinute = 600_000, ...rest } = options;
  const logger = createLogger('notifier-test', process.env.LOG_LEVEL ?? 'silent');
  const metrics = deliveryMetrics({
    db: database.db,
    metrics: createMetrics('notifier'),
    logger,
    clock,
    cloudWatch: false,
  });
  // The sender runs as in the service: on a pool of its own, planned for batches.
  const senderPool = () => senderDatabase({ url, poolSize: 5 });
  const startSender = (db: Database<NotifierDatabase>) =>
    startDueDeliverySender({
      db: db.db,
      push,
      budget: sendBudget(db.db, { projectId: 'demo-haru', perMinute: budgetPerMinute }),
      logger,
      metrics,
      clock,
      concurrency: 2,
      intervalMs: 3_600_000,
      reportSpreadMs: 0,
      // The tests move the clock themselves; nothing is claimed ahead of it.
      headStartMs: 0,
      batchesAhead: 1,
      ...rest,
    });
  // The test runs each sender's rounds itself: its loop is stopped once its first round (which
  // runs at once) is over, so that no round of its own claims a push the test is sending.
  const startStoppedSender = async (db: Database<NotifierDatabase>) => {
    const sender = startSender(db);
    await sender.stop();
    return sender;
  };
  const handlerSenderPool = senderPool();
  const sender = await startStoppedSender(handlerSenderPool);
  return {
    handle: createEventHandler({ db: database.db, logger, clock, wake: () => {} }),
    send: () => sender.sendDueOnce(),
    async startReplica() {
      const replicaDatabase = senderPool();
      const replica = await startStoppedSender(replicaDatabase);
      return {
        send: () => replica.sendDueOnce(),
        stop: () => replicaDatabase.close(),
      };
    },
    database,
    async registerDevice(uid, token) {
      const now = clock();
      await registerDevice(database.db, { token, uid, platform: 'android' }, now);
      await addDeliveriesToPreparedPushes(database.db, { uid, token }, now);
    },
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
      metrics.stop();
      await fcm.close();
      await handlerSenderPool.close();
      await database.close();
    },
  };
}
