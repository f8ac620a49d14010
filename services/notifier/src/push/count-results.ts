import { counter, type Metrics } from '@haru/observability';
import type { PushSender, SendResult } from './push-sender.ts';

/** FCM's answers, grouped as an operator reads them (FCM v1 error codes, as firebase-admin names them). */
export type FcmResult = 'sent' | 'unregistered' | 'invalid-argument' | 'unavailable' | 'quota' | 'other';

const resultsByCode: Record<string, FcmResult> = {
  'messaging/registration-token-not-registered': 'unregistered',
  'messaging/invalid-argument': 'invalid-argument',
  'messaging/invalid-registration-token': 'invalid-argument',
  'messaging/server-unavailable': 'unavailable',
  'messaging/message-rate-exceeded': 'quota',
  'messaging/device-message-rate-exceeded': 'quota',
};

export const fcmResultOf = (result: SendResult): FcmResult =>
  result.success ? 'sent' : (resultsByCode[result.error?.code ?? ''] ?? 'other');

/**
 * The sender, counting every message's result in `haru_fcm_results_total{result}` (each
 * send counts: a message retried after `unavailable` counts again when it goes out).
 */
export function countResults(sender: PushSender, metrics: Metrics): PushSender {
  const results = counter(metrics, {
    name: 'haru_fcm_results_total',
    help: 'Messages sent to FCM, by result: sent, unregistered, invalid-argument, unavailable, quota, other.',
    labelNames: ['result'],
  });
  return {
    async sendEach(messages) {
      const sent = await sender.sendEach(messages);
      for (const response of sent.responses) results.inc({ result: fcmResultOf(response) });
      return sent;
    },
  };
}
