import { pushMessage, type WebPushOptions } from '../push/push-message.ts';
import type { PushSender } from '../push/push-sender.ts';
import type { ClaimedDelivery, DeliveryResult, WithheldReason } from './delivery.repository.ts';
import { pushContent } from './push-content.ts';
import { classifySendResult, retryDelayMs, type SendOutcome } from './send-outcome.ts';

/** What a delivery not sent records, by why it was withheld. */
const withheldErrors: Record<WithheldReason, { code: string; message: string }> = {
  'recipient-gone': {
    code: 'haru/recipient-gone',
    message: 'the member left, or the device was unregistered or changed hands, before the push was sent',
  },
  answered: {
    code: 'haru/answered',
    message: 'the member answered the question after its reminder was prepared',
  },
};

const noResponse = {
  success: false,
  error: { code: 'haru/no-response', message: 'the provider returned no result for this message' },
};

/**
 * Sends claimed deliveries (at most 500, one `sendEach`) and says what became of each:
 * sent, final (a dead token, a refusal), or pending again until a time that honours
 * Retry-After, FCM's quota minimum and an exponential, jittered backoff — or failed once
 * `maxAttempts` sends are spent. A withheld delivery (its recipient gone, its reminder
 * answered) is not sent.
 * Resolves with the results and when FCM had accepted the sends.
 */
export async function sendDeliveries(
  {
    sender,
    clock,
    maxAttempts = 12,
    random = Math.random,
    web = {},
  }: {
    sender: PushSender;
    clock: () => Date;
    maxAttempts?: number;
    random?: () => number;
    /** What pushes to web devices carry from the web app's settings. */
    web?: WebPushOptions;
  },
  claimed: readonly ClaimedDelivery[],
): Promise<{ results: DeliveryResult[]; acceptedAt: Date }> {
  const sendable = claimed.filter((delivery) => delivery.withheld === null);
  const { responses } =
    sendable.length === 0
      ? { responses: [] }
      : await sender.sendEach(
          sendable.map((delivery) =>
            pushMessage(
              {
                token: delivery.token,
                notificationId: delivery.notificationId,
                kind: delivery.kind,
                familyId: delivery.familyId,
                questionId: delivery.questionId,
                content: pushContent(delivery.kind, delivery.locale, delivery.question),
              },
              web,
            ),
          ),
        );
  const acceptedAt = clock();
  const outcomes = new Map(
    sendable.map((delivery, position) => [delivery, classifySendResult(responses[position] ?? noResponse, acceptedAt)]),
  );
  const results = claimed.map((delivery): DeliveryResult => {
    const { notificationId, familyId, token, memberId } = delivery;
    const outcome = outcomes.get(delivery);
    if (!outcome) {
      const { code: errorCode, message: errorMessage } = withheldErrors[delivery.withheld ?? 'recipient-gone'];
      const withheld = { status: 'failed', errorCode, errorMessage, attempts: 0, nextAttemptAt: null } as const;
      return { notificationId, familyId, token, memberId, ...withheld };
    }
    const base = { notificationId, familyId, token, memberId, attempts: 1 };
    if (outcome.status === 'retry') {
      const total = delivery.attempts + 1;
      const error = { errorCode: outcome.code, errorMessage: outcome.message };
      if (total >= maxAttempts) return { ...base, status: 'failed', ...error, nextAttemptAt: null };
      // Still FCM's to take: pending until due again, with the last error for whoever looks.
      const due = new Date(acceptedAt.getTime() + retryDelayMs(total, outcome.retryAfterMs, random()));
      return { ...base, status: 'pending', ...error, nextAttemptAt: due };
    }
    return { ...base, ...finalResult(outcome), nextAttemptAt: null };
  });
  return { results, acceptedAt };
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
