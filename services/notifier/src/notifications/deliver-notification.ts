import { causedBy, createEvent, type DomainEvent, notificationIdFor, type PushKind } from '@haru/contracts';
import { appendToOutbox, transactionWithOutbox } from '@haru/messaging';
import type { Logger } from '@haru/observability';
import type { Kysely } from 'kysely';
import type { NotifierDatabase } from '../database.ts';
import { deactivateDevice } from '../devices/device-repository.ts';
import { findQuestionText } from '../questions/question-repository.ts';
import type { Notification } from './notification.table.ts';
import {
  claimNotification,
  type DeliveryResult,
  dueDeliveries,
  lockNotification,
  markReported,
  nextAttemptAt,
  type PendingDelivery,
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
  /** Sends per delivery within one pass (one handling of the event, or one retry sweep). */
  attemptsPerPass?: number;
  /** Longer waits (FCM's quota minute, a long Retry-After) are scheduled, not slept, holding the lock. */
  maxInProcessWaitMs?: number;
  /** Sends per delivery in all before it is given up as failed, with FCM's last code and message. */
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
}

const recipientGone = {
  code: 'haru/recipient-gone',
  message: 'the member left, or the device was unregistered or changed hands, before the push was sent',
};

/**
 * Sends a due push exactly once per (notification, device token), however often the
 * event that made it due is delivered:
 * 1. claim the notification and one pending delivery per recipient device (once);
 * 2. send what is pending and due (`sendDueDeliveries`).
 * What FCM could not take even after in-process retries stays pending with the time it
 * is due again, and the retry sweep sends it then; the event itself is done. (A crash
 * after FCM accepted a message but before its result was recorded resends it; the
 * collapse key and tag make the device replace the first copy.)
 */
export async function deliverNotification(deps: DeliveryDeps, push: DuePush): Promise<void> {
  const { cause, kind, questionId, memberIds } = push;
  const familyId = cause.familyId;
  const notificationId = notificationIdFor(familyId, questionId, kind);
  await deps.db
    .transaction()
    .execute((trx) =>
      claimNotification(trx, { notificationId, familyId, questionId, kind, memberIds, cause }, deps.clock()),
    );
  await sendDueDeliveries(deps, notificationId);
}

/**
 * One pass over a notification's pending deliveries that are due: per chunk of ≤ 500,
 * holding the notification's row lock (so that no two passes ever send the same
 * delivery), send, and record each result in the same transaction (dead tokens are
 * deactivated and reported). Once nothing is pending, NotificationSent is reported, once.
 * With `skipLocked` (the retry sweep), a notification someone else is sending is left to them.
 */
export async function sendDueDeliveries(
  deps: DeliveryDeps,
  notificationId: string,
  { skipLocked = false }: { skipLocked?: boolean } = {},
): Promise<void> {
  const { db, clock, logger } = deps;
  let question: QuestionText | null | undefined;
  let afterToken = '';
  for (;;) {
    const sentThrough = await transactionWithOutbox(db, async (trx) => {
      const notification = await lockNotification(trx, notificationId, { skipLocked });
      if (!notification) return null;
      const pending = await dueDeliveries(trx, notification, { afterToken, limit: maxMessagesPerSend, now: clock() });
      if (pending.length === 0) return null;
      if (question === undefined) question = await questionQuoted(trx, notification);

      const results = await sendPending(deps, notification, question, pending);
      logResults(logger, notification, results);
      const now = clock();
      await recordDeliveryResults(trx, notificationId, results, now);
      const invalidated = results.filter((result) => result.status === 'invalid');
      for (const result of invalidated) await deactivateDevice(trx, result.token, now);
      if (invalidated.length > 0) {
        logger.info(
          { notificationId, familyId: notification.family_id, invalidated: invalidated.length },
          'dead device tokens deactivated',
        );
      }
      await appendToOutbox(
        trx,
        invalidated.map((result) =>
          createEvent(
            'DeviceTokenInvalidated',
            notification.family_id,
            { memberId: result.memberId, reason: result.errorCode ?? 'invalid token' },
            causeOf(notification, now),
          ),
        ),
      );
      return pending.at(-1)?.token ?? null;
    });
    if (sentThrough === null) break;
    afterToken = sentThrough;
  }
  await reportIfDone(deps, notificationId, { skipLocked });
}

/** Emits NotificationSent once nothing of the notification is pending any more (once). */
async function reportIfDone(deps: DeliveryDeps, notificationId: string, { skipLocked }: { skipLocked: boolean }) {
  const { db, clock, logger } = deps;
  await transactionWithOutbox(db, async (trx) => {
    const notification = await lockNotification(trx, notificationId, { skipLocked });
    if (!notification || notification.reported_at) return;
    const tally = await tallyDeliveries(trx, notificationId);
    const { family_id: familyId, kind, question_id: questionId } = notification;
    if (tally.pending > 0) {
      const due = await nextAttemptAt(trx, notificationId);
      logger.info(
        { notificationId, familyId, pending: tally.pending, due },
        'deliveries left pending for the retry sweep',
      );
      return;
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
        causeOf(notification, now),
      ),
    ]);
    logger.info({ notificationId, familyId, kind, questionId, delivered, failed }, 'notification sent');
  });
}

const resultMessages: Record<DeliveryResult['status'], string> = {
  sent: 'push sent',
  pending: 'push left pending for a retry',
  invalid: 'push refused: dead device token',
  failed: 'push failed',
};

/** One line per delivery, with the correlation id of the request or tick that led to it (never the token). */
function logResults(logger: Logger, notification: Notification, results: readonly DeliveryResult[]) {
  for (const { memberId, status, errorCode, attempts } of results) {
    logger[status === 'failed' ? 'warn' : 'info'](
      {
        notificationId: notification.notification_id,
        familyId: notification.family_id,
        questionId: notification.question_id,
        kind: notification.kind,
        memberId,
        status,
        errorCode,
        attempts,
        correlationId: notification.correlation_id,
        causationId: notification.cause_event_id,
      },
      resultMessages[status],
    );
  }
}

/** Events about a notification are caused by the event that made it due. */
const causeOf = (notification: Notification, now: Date) =>
  notification.cause_event_id && notification.correlation_id
    ? causedBy({ id: notification.cause_event_id, correlationId: notification.correlation_id }, now)
    : { occurredAt: now, correlationId: notification.notification_id, causationId: null };

/** The question's text, which pushes about it quote (the complete push does not). */
const questionQuoted = (db: Kysely<NotifierDatabase>, notification: Notification) =>
  notification.kind === 'complete'
    ? Promise.resolve(null)
    : findQuestionText(db, notification.family_id, notification.question_id);

/**
 * Sends the eligible deliveries (retrying, in-process, what FCM could not take yet) and
 * says what became of each: final, or pending until a time that honours Retry-After,
 * FCM's quota minimum and the backoff — or failed once `maxAttempts` sends are spent.
 */
async function sendPending(
  deps: DeliveryDeps,
  notification: Notification,
  question: QuestionText | null,
  pending: readonly PendingDelivery[],
): Promise<DeliveryResult[]> {
  const { clock, maxAttempts = 12, random = Math.random } = deps;
  const { notification_id: notificationId, family_id: familyId, question_id: questionId, kind } = notification;
  const eligible = pending.filter((delivery) => delivery.eligible);
  const sent = await sendWithRetries(
    deps,
    eligible.map((delivery) => ({
      message: pushMessage({
        token: delivery.token,
        notificationId,
        kind,
        familyId,
        questionId,
        content: pushContent(kind, delivery.locale, question),
      }),
      sendsLeft: Math.max(maxAttempts - delivery.attempts, 1),
    })),
  );
  const now = clock();
  return pending.map(({ token, memberId, attempts: before }) => {
    const result = sent.get(token);
    if (!result) {
      const { code: errorCode, message: errorMessage } = recipientGone;
      return { token, memberId, status: 'failed', errorCode, errorMessage, attempts: 0, nextAttemptAt: null };
    }
    const { outcome, attempts } = result;
    if (outcome.status === 'retry') {
      const total = before + attempts;
      const error = { errorCode: outcome.code, errorMessage: outcome.message };
      if (total >= maxAttempts) return { token, memberId, status: 'failed', ...error, attempts, nextAttemptAt: null };
      // Still FCM's to take: pending until due again, with the last error for whoever looks.
      const due = new Date(now.getTime() + retryDelayMs(total, outcome.retryAfterMs, random()));
      return { token, memberId, status: 'pending', ...error, attempts, nextAttemptAt: due };
    }
    return { token, memberId, ...finalResult(outcome), attempts, nextAttemptAt: null };
  });
}

const finalResult = (
  outcome: Exclude<SendOutcome, { status: 'retry' }>,
): Pick<DeliveryResult, 'status' | 'errorCode' | 'errorMessage'> => {
  switch (outcome.status) {
    case 'sent':
      return { status: 'sent', errorCode: null, errorMessage: null };
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
 * again, alone, after an exponential, jittered delay that honours Retry-After — while
 * that delay is short (never for a quota error: its minute is scheduled, not slept) and
 * the message has sends left in this pass. Resolves with each token's last outcome and
 * the sends made.
 */
async function sendWithRetries(
  deps: DeliveryDeps,
  items: ReadonlyArray<{ message: PushMessage; sendsLeft: number }>,
): Promise<Map<string, { outcome: SendOutcome; attempts: number }>> {
  const {
    sender,
    clock,
    logger,
    attemptsPerPass = 3,
    maxInProcessWaitMs = 10_000,
    sleep = delay,
    random = Math.random,
  } = deps;
  const results = new Map<string, { outcome: SendOutcome; attempts: number }>();
  let batch = [...items];
  for (let attempt = 1; batch.length > 0; attempt += 1) {
    const { responses } = await sender.sendEach(batch.map((item) => item.message));
    const now = clock();
    const retry: typeof batch = [];
    let retryAfterMs: number | null = null;
    for (const [position, item] of batch.entries()) {
      const outcome = classifySendResult(responses[position] ?? noResponse, now);
      results.set(item.message.token, { outcome, attempts: attempt });
      if (outcome.status !== 'retry' || attempt >= Math.min(attemptsPerPass, item.sendsLeft)) continue;
      const asked = outcome.retryAfterMs ?? 0;
      if (asked > maxInProcessWaitMs) continue; // e.g. the quota minute: scheduled, not slept
      retry.push(item);
      retryAfterMs = Math.max(retryAfterMs ?? 0, asked);
    }
    if (retry.length === 0) break;
    const wait = retryDelayMs(attempt, retryAfterMs, random());
    if (wait > maxInProcessWaitMs) break;
    logger.warn({ retrying: retry.length, attempt, wait }, 'FCM could not take every push yet; retrying');
    await sleep(wait);
    batch = retry;
  }
  return results;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
