import type { PushMessage } from './push-message.ts';

/** What the provider reported for one message (the subset of firebase-admin's SendResponse haru reads). */
export interface SendResult {
  success: boolean;
  error?: {
    code: string;
    message: string;
    httpResponse?: { status: number; headers: Record<string, unknown> };
  };
}

/**
 * Sends messages one request each, reporting per message, in order; at most 500 per
 * call. firebase-admin's `Messaging` is one; tests may substitute their own.
 */
export interface PushSender {
  sendEach(messages: PushMessage[]): Promise<{ responses: SendResult[] }>;
}

/** FCM's limit on messages per `sendEach`. */
export const maxMessagesPerSend = 500;
