import { causedBy, createEvent, type DomainEvent, notificationIdFor, type PushKind } from '@haru/contracts';
import { HaruError } from '@haru/errors';
import { appendToOutbox } from '@haru/messaging';
import type { Logger } from '@haru/observability';
import type { Kysely } from 'kysely';
import type { NotifierDatabase } from '../database.ts';
import { deactivateDevice } from '../devices/device-repository.ts';
import {
  claimNotification,
  type DeliveryResult,
  lockNotification,
  markReported,
  type PendingDelivery,
  pendingDeliveries,
  recordDeliveryResults,
  tallyDeliveries,
} from './notification-repository.ts';
import { pushContent, type QuestionText } from './push-content.ts';
import { type PushMessage, pushMessage } from './push-message.ts';
import { maxMessagesPerSend, type PushSender } from './push-sender.ts';
import { classifySendResult, retryDelayMs, type SendOutcome } from './send-outcome.ts';

export interface DeliveryDeps {
  db: Kysely<NotifierDatabase>;
  sender: PushSender;
  logger: Logger;
  clock: () => Date;
  /** Send attempts per message within one handling of the event (FCM overloaded or failing). */
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** A push that an event made due. */
export interface DuePush {
  /** The event that made it due: names the family and causes the events emitted. */
  cause: DomainEvent;
  kind: PushKind;
  questionId: string;
  /** Only these members (a reminder), or null for every active member. */
  memberIds: readonly string[] | null;
  /** The question's text, quoted by pushes about it; null when unknown or not wanted. */
  question: QuestionText | null;
}

const recipientGone = {
  code: 'haru/recipient-gone',
  message: 'the member left, or the device was unregistered or changed hands, before the push was sent',
};

/**
 * Sends a due push exactly once per (notification, device token), however often the
 * event that made it due is delivered:
 * 1. claim the notification and one pending delivery per recipient device (once);
 * 2. send what is still pending, holding the notification's row lock, and record each
 *    result in the same transaction (dead tokens are deactivated and reported);
 * 3. once nothing is pending, report NotificationSent (once).
 * Deliveries that FCM could not take even after in-process retries stay pending, and
 * this throws, so the queue delivers the event again later and only they are resent.
 * (A crash after FCM accepted a message but before its result was recorded resends
 * it; the collapse key and tag make the device replace the first copy.)
 */
export async function deliverNotification(deps: DeliveryDeps, push: DuePush): Promise<void> {
  const { db, clock } = deps;
  const { cause, kind, questionId, memberIds } = push;
  const familyId = cause.familyId;
  const notificationId = notificationIdFor(familyId, questionId, kind);

  await db
    .transaction()
    .execute((trx) => claimNotification(trx, { notificationId, familyId, questionId, kind, memberIds }, clock()));

  let afterToken = '';
  for (;;) {
    const sentThrough = await db.transaction().execute(async (trx) => {
      const notification = await lockNotification(trx, notificationId);
      if (!notification) throw new Error(`notification ${notificationId} vanished after its claim`);
      const pending = await pendingDeliveries(trx, notification, afterToken, maxMessagesPerSend);
      if (pending.length === 0) return null;

      const results = await sendPending(deps, push, notificationId, pending);
      const now = clock();
      await recordDeliveryResults(trx, notificationId, results, now);
      const invalidated = results.filter((result) => result.status === 'invalid');
      for (const result of invalidated) await deactivateDevice(trx, result.token, now);
      if (invalidated.length > 0) {
        deps.logger.info(
          { notificationId, familyId, invalidated: invalidated.length },
          'dead device tokens deactivated',
        );
      }
      await appendToOutbox(
        trx,
        invalidated.map((result) =>
          createEvent(
            'DeviceTokenInvalidated',
            familyId,
            { memberId: result.memberId, reason: result.errorCode ?? 'invalid token' },
            causedBy(cause, now),
          ),
        ),
      );
      return pending.at(-1)?.token ?? null;
    });
    if (sentThrough === null) break;
    afterToken = sentThrough;
  }

  await db.transaction().execute(async (trx) => {
    await lockNotification(trx, notificationId);
    const tally = await tallyDeliveries(trx, notificationId);
    if (tally.pending > 0) {
      throw new HaruError(
        'unavailable',
        `${tally.pending} deliveries of notification ${notificationId} are still pending; to be retried`,
      );
    }
    const now = clock();
    if (!(await markReported(trx, notificationId, now))) return;
    const delivered = tally.sent;
    const failed = tally.failed + tally.invalid;
    await appendToOutbox(trx, [
      createEvent(
        'NotificationSent',
        familyId,
        { notificationId, kind, questionId, delivered, failed },
        causedBy(cause, now),
      ),
    ]);
    deps.logger.info({ notificationId, familyId, kind, questionId, delivered, failed }, 'notification sent');
  });
}

/** Sends the eligible deliveries (retrying what FCM could not take yet) and says what became of each. */
async function sendPending(
  deps: DeliveryDeps,
  push: DuePush,
  notificationId: string,
  pending: readonly PendingDelivery[],
): Promise<DeliveryResult[]> {
  const messages = pending
    .filter((delivery) => delivery.eligible)
    .map((delivery) =>
      pushMessage({
        token: delivery.token,
        notificationId,
        kind: push.kind,
        familyId: push.cause.familyId,
        questionId: push.questionId,
        content: pushContent(push.kind, delivery.locale, push.question),
      }),
    );
  const sent = await sendWithRetries(deps, messages);
  return pending.map(({ token, memberId }) => {
    const result = sent.get(token);
    if (!result) {
      return {
        token,
        memberId,
        status: 'failed',
        errorCode: recipientGone.code,
        errorMessage: recipientGone.message,
        attempts: 0,
      };
    }
    return { token, memberId, ...resultOf(result.outcome), attempts: result.attempts };
  });
}

const resultOf = (outcome: SendOutcome): Pick<DeliveryResult, 'status' | 'errorCode' | 'errorMessage'> => {
  switch (outcome.status) {
    case 'sent':
      return { status: 'sent', errorCode: null, errorMessage: null };
    case 'retry':
      // Still FCM's to take: left pending, with the last error for whoever looks.
      return { status: 'pending', errorCode: outcome.code, errorMessage: outcome.message };
    case 'invalid':
    case 'failed':
      return { status: outcome.status, errorCode: outcome.code, errorMessage: outcome.message };
    default: {
      const unknown: never = outcome;
      throw new Error(`unknown send outcome ${JSON.stringify(unknown)}`);
    }
  }
};

const noResponse = {
  success: false,
  error: { code: 'haru/no-response', message: 'the provider returned no result for this message' },
};

/**
 * Sends the messages (at most 500); those FCM reports as overloaded or failing are sent
 * again, alone, after an exponential, jittered delay that honours Retry-After, up to
 * `maxAttempts` sends each. Resolves with each token's last outcome and its attempts.
 */
async function sendWithRetries(
  deps: DeliveryDeps,
  messages: readonly PushMessage[],
): Promise<Map<string, { outcome: SendOutcome; attempts: number }>> {
  const { sender, clock, logger, maxAttempts = 3, sleep = delay, random = Math.random } = deps;
  const results = new Map<string, { outcome: SendOutcome; attempts: number }>();
  let batch = [...messages];
  for (let attempt = 1; batch.length > 0; attempt += 1) {
    const { responses } = await sender.sendEach(batch);
    const now = clock();
    const retry: PushMessage[] = [];
    let retryAfterMs: number | null = null;
    for (const [position, message] of batch.entries()) {
      const outcome = classifySendResult(responses[position] ?? noResponse, now);
      results.set(message.token, { outcome, attempts: attempt });
      if (outcome.status === 'retry') {
        retry.push(message);
        retryAfterMs = Math.max(retryAfterMs ?? 0, outcome.retryAfterMs ?? 0);
      }
    }
    if (retry.length === 0 || attempt >= maxAttempts) break;
    logger.warn({ retrying: retry.length, attempt, retryAfterMs }, 'FCM could not take every push yet; retrying');
    await sleep(retryDelayMs(attempt, retryAfterMs, random()));
    batch = retry;
  }
  return results;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
