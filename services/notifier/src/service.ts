import type { Database } from '@haru/db';
import { gauge } from '@haru/observability';
import { startDatabaseService } from '@haru/runtime';
import { Hono } from 'hono';
import { accountRoutes } from './accounts/account-routes.ts';
import type { NotifierConfig } from './config.ts';
import { type NotifierDatabase, schema } from './database.ts';
import { deviceRoutes } from './devices/device-routes.ts';
import { createEventHandler } from './handle-event.ts';
import { migrations } from './migrations/index.ts';
import { deliveryMetrics } from './notifications/delivery-metrics.ts';
import { type DueDeliverySender, startDueDeliverySender } from './notifications/due-delivery-sender.ts';
import { notificationRoutes } from './notifications/notification-routes.ts';
import { senderDatabase, senderPoolSize } from './notifications/sender-database.ts';
import { countResults } from './push/count-results.ts';
import type { PushSender } from './push/push-sender.ts';
import { sendBudget } from './push/send-budget.ts';
import { startSendThreads } from './push/send-threads.ts';
import { notificationRetention } from './retention/notification-retention.ts';
import { answerRetention, questionRetention } from './retention/question-retention.ts';

export interface ServiceOptions {
  /** SQS long-poll wait; shorter in tests so that stopping is quick. */
  waitTimeSeconds?: number;
  /** Sends pushes instead of firebase-admin (tests that need FCM to misbehave). */
  sender?: PushSender;
}

/**
 * The notifier: devices and recipients, pushes prepared from events ahead of their
 * instants, and the due-delivery sender that sends them when they are due, through
 * firebase-admin on send threads of its own (to the local FCM endpoint when
 * FCM_ENDPOINT_URL is set). The schema must be
 * migrated first.
 */
export async function startService(config: NotifierConfig, options: ServiceOptions = {}) {
  const clock = () => new Date();
  const sendThreads = options.sender
    ? undefined
    : startSendThreads({
        projectId: config.FIREBASE_PROJECT_ID,
        ...(config.FCM_ENDPOINT_URL ? { fcmEndpointUrl: config.FCM_ENDPOINT_URL } : {}),
        threads: config.NOTIFIER_SEND_THREADS,
      });
  await sendThreads?.ready();
  const provider = options.sender ?? sendThreads;
  if (!provider) throw new Error('the notifier has nothing to send pushes with');
  // The handlers tell this replica's sender when what they prepared is due; it starts
  // with the background work, after the consumer may already have handled an event.
  let sender: DueDeliverySender | undefined;
  const service = await startDatabaseService<NotifierDatabase>({
    name: 'notifier',
    schema,
    migrations,
    config,
    ...(options.waitTimeSeconds ? { waitTimeSeconds: options.waitTimeSeconds } : {}),
    routes: ({ database }) => notifierRoutes({ database, clock }),
    // Questions after their notifications: a question goes only once its pushes have gone.
    retention: [notificationRetention, questionRetention, answerRetention],
    handle: ({ database, logger }) =>
      createEventHandler({ db: database.db, logger, clock, wake: (at) => sender?.wake(at) }),
    background: ({ logger, metrics }) => {
      const senderPool = senderDatabase({
        url: config.DATABASE_URL,
        poolSize: senderPoolSize(config.NOTIFIER_SEND_CONCURRENCY),
      });
      const observed = deliveryMetrics({
        db: senderPool.db,
        metrics,
        logger,
        clock,
        cloudWatch: config.HARU_CLOUDWATCH_METRICS === 'emf',
      });
      sender = startDueDeliverySender({
        db: senderPool.db,
        push: countResults(provider, metrics),
        budget: sendBudget(senderPool.db, {
          projectId: config.FIREBASE_PROJECT_ID,
          perMinute: config.FCM_SEND_BUDGET_PER_MINUTE,
        }),
        logger,
        metrics: observed,
        clock,
        concurrency: config.NOTIFIER_SEND_CONCURRENCY,
        intervalMs: config.NOTIFIER_POLL_INTERVAL_MS,
        headStartMs: config.NOTIFIER_HEAD_START_MS,
        batchesAhead: config.NOTIFIER_BATCHES_AHEAD,
        reportSpreadMs: config.NOTIFIER_REPORT_SPREAD_MS,
        webPush: { link: config.NOTIFIER_WEB_PUSH_LINK, icon: config.NOTIFIER_WEB_PUSH_ICON },
      });
      if (sendThreads) {
        gauge(metrics, {
          name: 'haru_notifier_send_threads_heap_used_bytes',
          help: "JavaScript heap in use on the notifier's send threads, summed; the process's own heap figures are its main thread's.",
          async collect() {
            this.set(await sendThreads.heapUsedBytes());
          },
        });
        gauge(metrics, {
          name: 'haru_notifier_send_threads_heap_live_bytes',
          help: "JavaScript heap the notifier's send threads keep: each one's in use just after its last full garbage collection, summed.",
          collect() {
            this.set(sendThreads.liveHeapBytes());
          },
        });
      }
      const started = sender;
      return {
        async stop() {
          await started.stop();
          observed.stop();
          await senderPool.close();
        },
      };
    },
    closeAtEnd: sendThreads ? [sendThreads.close] : [],
  });
  if (!sender) throw new Error('the due-delivery sender did not start');
  return { ...service, sender };
}

/** The internal API the gateway calls: the caller's devices, a family's delivery log, an account's export and erasure. */
export const notifierRoutes = ({ database, clock }: { database: Database<NotifierDatabase>; clock: () => Date }) =>
  new Hono()
    .route('/devices', deviceRoutes({ database, clock }))
    .route('/families', notificationRoutes({ database, clock }))
    .route('/accounts', accountRoutes({ database, clock }));
