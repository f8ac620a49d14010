import { setTimeout as delay } from 'node:timers/promises';
import { causedBy, createEvent } from '@haru/contracts';
import { startPollingLoop } from '@haru/db';
import { appendToOutbox, holdOnOutbox, transactionWithOutbox } from '@haru/messaging';
import type { Logger } from '@haru/observability';
import type { Kysely } from 'kysely';
import type { NotifierDatabase } from '../database.ts';
import { deactivateDevices } from '../devices/device.repository.ts';
import type { WebPushOptions } from '../push/push-message.ts';
import { maxMessagesPerSend, type PushSender } from '../push/push-sender.ts';
import type { SendBudget } from '../push/send-budget.ts';
import {
  type ClaimedDelivery,
  type DeliveryResult,
  nextDueAt,
  recordDeliveryResults,
  releaseDeliveries,
  roundOfClaims,
} from './delivery.repository.ts';
import type { DeliveryMetrics } from './delivery-metrics.ts';
import { markFinishedReported } from './notification.repository.ts';
import { sendDeliveries } from './send-deliveries.ts';

export interface DueDeliverySenderOptions {
  /** The sender's own pool (`senderDatabase`, of `senderPoolSize(concurrency)` connections). */
  db: Kysely<NotifierDatabase>;
  push: PushSender;
  budget: SendBudget;
  logger: Logger;
  metrics: DeliveryMetrics;
  clock: () => Date;
  /** Claims sent at once by this replica, each up to 500 deliveries (one `sendEach`). */
  concurrency: number;
  /** How often it looks for due deliveries besides its alarms (another replica's, a retry's). */
  intervalMs: number;
  /** NotificationSent reports are published spread over this long, so that a burst's never meet SNS's quota at once. */
  reportSpreadMs: number;
  /** How long a claimed delivery is someone's before it is due again (a sender that died). */
  leaseMs?: number;
  /** Deliveries per claim and send (FCM takes at most 500 in one `sendEach`). */
  batchSize?: number;
  /**
   * How long before their instant deliveries are claimed (with what each push needs) and taken
   * from the budget, so that at the instant only building and sending the messages is left.
   * Who receives the push is then decided this long before the instant.
   */
  headStartMs: number;
  /**
   * Batches each worker claims ahead of their instant, within the head start, one after
   * another: a burst's claims are then the database's work in the second before its instant,
   * when it has room, rather than during the drain, when every core is busy. A replica holds
   * at most `concurrency × batchesAhead × batchSize` deliveries, however large the burst.
   */
  batchesAhead: number;
  /** What pushes to web devices carry from the web app's settings (none unless given). */
  webPush?: WebPushOptions;
  maxAttempts?: number;
  random?: () => number;
}

export interface DueDeliverySender {
  /** Tells the sender of deliveries due at `at`: it sends them then (now, if that has passed). */
  wake(at: Date): void;
  /** Sends everything due now and reports finished notifications; resolves with the deliveries settled. */
  sendDueOnce(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * The only place pushes leave haru. Deliveries are prepared ahead, each due at its family's
 * instant; at the instant this loop claims due deliveries across families, earliest first,
 * in batches of 500 (SKIP LOCKED, so any number of replicas share them), takes the sends
 * from the project's FCM budget, sends each batch with one `sendEach` holding no lock, and
 * records the results. Retries are deliveries due again later, sent by the same loop. It
 * wakes at the earliest due instant it knows of: from its own query after each round, from
 * this replica's event handlers, and at the latest every `intervalMs`.
 */
export function startDueDeliverySender(options: DueDeliverySenderOptions): DueDeliverySender {
  const {
    db,
    logger,
    clock,
    concurrency,
    intervalMs,
    leaseMs = 60_000,
    batchSize = maxMessagesPerSend,
    headStartMs,
  } = options;

  /** How long until the last of a batch is due (earliest first, so they are close). */
  const dueIn = (claimed: ClaimedDelivery[]) =>
    Math.max(...claimed.map((delivery) => delivery.sendAt.getTime())) - clock().getTime();
  /** Claimed ahead, a batch is sent when the last of it is due. */
  const untilDue = async (claimed: ClaimedDelivery[]) => {
    const wait = dueIn(claimed);
    if (wait > 0) await delay(wait);
  };

  const sendBatch = async (claimed: ClaimedDelivery[]) => {
    const { results, acceptedAt } = await sendDeliveries(
      {
        sender: options.push,
        clock,
        ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
        ...(options.random ? { random: options.random } : {}),
        ...(options.webPush ? { web: options.webPush } : {}),
      },
      claimed,
    );
    options.metrics.observeSent(claimed, results, acceptedAt);
    return results;
  };

  /** A round's claims (see `roundOfClaims`): each the next batch, its sends taken from the budget. */
  const claimsOfRound = () => {
    const claimNext = roundOfClaims(db, { limit: batchSize, leaseMs, aheadMs: headStartMs, clock });
    return async () => {
      const claimed = await claimNext();
      const sends = claimed.filter((delivery) => delivery.withheld === null).length;
      if (sends > 0) await options.budget.take(sends);
      return claimed;
    };
  };

  // Before the instant a worker claims up to `batchesAhead` batches, one after another. From
  // then on it claims its next batch, and records its previous one, while it sends the
  // current one, so that the database's round trips overlap FCM's instead of adding to them.
  const worker = async (claim: () => Promise<ClaimedDelivery[]>) => {
    let settled = 0;
    let next = claim();
    /** Batches claimed ahead of the instant, earliest first; `next` is claimed once they are gone. */
    const ahead: ClaimedDelivery[][] = [];
    let recording: Promise<void> = Promise.resolve();
    try {
      for (;;) {
        const claimed = ahead.shift() ?? (await next);
        if (claimed.length === 0) break;
        while (ahead.length + 1 < options.batchesAhead && dueIn(claimed) > 0) {
          const more = await claim();
          if (more.length === 0) break;
          ahead.push(more);
        }
        await untilDue(claimed);
        if (ahead.length === 0) next = claim();
        const results = await sendBatch(claimed);
        await recording;
        recording = recordResults(db, claimed, results, clock(), logger);
        // Awaited once the next batch is sent; a failure is held until then, not left unhandled.
        recording.catch(() => {});
        settled += claimed.length;
      }
      await recording;
      return settled;
    } catch (error) {
      // Batches claimed ahead are given back when their worker fails, not left to their lease;
      // the record under way is let finish (a batch sent but not recorded comes due after its lease).
      const unsent = [...ahead.flat(), ...(ahead.length === 0 ? await next.catch(() => []) : [])];
      await releaseDeliveries(db, unsent).catch((releaseError) =>
        logger.warn({ err: releaseError }, 'claimed deliveries left to their lease'),
      );
      await recording.catch((recordError) =>
        logger.warn({ err: recordError }, 'sent deliveries left to their lease unrecorded'),
      );
      throw error;
    }
  };

  const sendDueOnce = async () => {
    // Every worker finishes its batch before a failure is reported (a batch is never abandoned mid-send).
    const claim = claimsOfRound();
    const outcomes = await Promise.allSettled(Array.from({ length: concurrency }, () => worker(claim)));
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    const settled = outcomes.reduce((sum, outcome) => sum + (outcome.status === 'fulfilled' ? outcome.value : 0), 0);
    await reportFinished(db, {
      clock,
      logger,
      spreadMs: options.reportSpreadMs,
      random: options.random ?? Math.random,
    });
    return settled;
  };

  let alarm: { at: number; timer: NodeJS.Timeout } | undefined;
  const wake = (at: Date) => {
    const delay = at.getTime() - headStartMs - clock().getTime();
    if (delay <= 0) return loop.wake();
    if (delay >= intervalMs || (alarm && alarm.at <= at.getTime())) return;
    if (alarm) clearTimeout(alarm.timer);
    const ring = () => {
      alarm = undefined;
      loop.wake();
    };
    alarm = { at: at.getTime(), timer: setTimeout(ring, delay) };
  };

  const loop = startPollingLoop({
    name: 'due-delivery sender',
    intervalMs,
    logger,
    runOnce: async () => {
      await sendDueOnce();
      const next = await nextDueAt(db, clock());
      if (next) wake(next);
    },
  });

  return {
    wake,
    sendDueOnce,
    async stop() {
      await loop.stop();
      if (alarm) clearTimeout(alarm.timer);
    },
  };
}

/**
 * Records a batch's results in one transaction: each delivery's status, dead tokens'
 * devices deactivated (never sent to again) and reported as DeviceTokenInvalidated.
 */
async function recordResults(
  db: Kysely<NotifierDatabase>,
  claimed: readonly ClaimedDelivery[],
  results: readonly DeliveryResult[],
  now: Date,
  logger: Logger,
): Promise<void> {
  await transactionWithOutbox(db, async (trx) => {
    await recordDeliveryResults(trx, results, now);
    const invalidated = results.flatMap((result, position) =>
      result.status === 'invalid' ? [{ result, cause: claimed[position]?.cause ?? null }] : [],
    );
    await deactivateDevices(
      trx,
      invalidated.map(({ result }) => result.token),
      now,
    );
    await appendToOutbox(
      trx,
      invalidated.map(({ result, cause }) =>
        createEvent(
          'DeviceTokenInvalidated',
          result.familyId,
          { memberId: result.memberId, reason: result.errorCode ?? 'invalid token' },
          causeOf(cause, result.notificationId, now),
        ),
      ),
    );
  });
  // One line per delivery, under the correlation id of the request or tick that led to it (never the token).
  results.forEach(({ notificationId, familyId, memberId, status, errorCode, attempts }, position) => {
    const cause = claimed[position]?.cause;
    logger[status === 'failed' ? 'warn' : 'info'](
      {
        notificationId,
        familyId,
        kind: claimed[position]?.kind,
        memberId,
        status,
        errorCode,
        attempts,
        correlationId: cause?.correlationId,
        causationId: cause?.id,
      },
      resultMessages[status],
    );
  });
}

/**
 * Reports every notification with nothing left to send, once: NotificationSent, caused by
 * the event that asked for the push, held on the outbox for a random part of `spreadMs`.
 * It runs after the due deliveries are drained, so a burst's reports never compete with
 * its sends, and their publishing is spread rather than sent to SNS all in one second.
 */
async function reportFinished(
  db: Kysely<NotifierDatabase>,
  { clock, logger, spreadMs, random }: { clock: () => Date; logger: Logger; spreadMs: number; random: () => number },
): Promise<void> {
  const limit = 1000;
  for (;;) {
    const reported = await transactionWithOutbox(db, async (trx) => {
      const now = clock();
      const finished = await markFinishedReported(trx, { now, limit });
      await holdOnOutbox(
        trx,
        finished.map((notification) => ({
          event: createEvent(
            'NotificationSent',
            notification.familyId,
            {
              notificationId: notification.notificationId,
              kind: notification.kind,
              questionId: notification.questionId,
              delivered: notification.delivered,
              failed: notification.failed,
            },
            causeOf(
              notification.causeEventId && notification.correlationId
                ? { id: notification.causeEventId, correlationId: notification.correlationId }
                : null,
              notification.notificationId,
              now,
            ),
          ),
          delayMs: random() * spreadMs,
        })),
      );
      return finished;
    });
    for (const { notificationId, familyId, kind, questionId, delivered, failed } of reported) {
      logger.info({ notificationId, familyId, kind, questionId, delivered, failed }, 'notification sent');
    }
    if (reported.length < limit) return;
  }
}

const resultMessages: Record<DeliveryResult['status'], string> = {
  sent: 'push sent',
  pending: 'push left pending for a retry',
  invalid: 'push refused: dead device token',
  failed: 'push failed',
};

/** Events about a push are caused by the event that asked for it. */
const causeOf = (cause: { id: string; correlationId: string } | null, notificationId: string, now: Date) =>
  cause ? causedBy(cause, now) : { occurredAt: now, correlationId: notificationId, causationId: null };
