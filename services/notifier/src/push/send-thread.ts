// A send thread's own code (see send-threads.ts): firebase-admin's Messaging on this
// thread, a `sendEach` for each request from the notifier's thread, its results as data,
// and the heap it keeps after each full collection.
import { parentPort, workerData } from 'node:worker_threads';
import { liveHeapBytes, onFullCollection } from '@haru/observability/live-heap';
import type { SendResponse } from 'firebase-admin/messaging';
import { createFirebaseMessaging, type FirebaseMessagingOptions } from './firebase-messaging.ts';
import type { PushMessage } from './push-message.ts';
import type { SendResult } from './push-sender.ts';

export type SendRequest = { id: number; messages: PushMessage[] } | { close: true };
export type SendReply =
  | { ready: true; liveHeapBytes: number }
  | { liveHeapBytes: number }
  | { id: number; responses: SendResult[] }
  | { id: number; error: { message: string; code: string | undefined } };

if (!parentPort) throw new Error('send-thread.ts runs as a worker thread (see send-threads.ts)');
const port = parentPort;
const { messaging, close } = createFirebaseMessaging(workerData as FirebaseMessagingOptions);
port.postMessage({ ready: true, liveHeapBytes: liveHeapBytes() } satisfies SendReply);
onFullCollection((bytes) => port.postMessage({ liveHeapBytes: bytes } satisfies SendReply));

port.on('message', async (request: SendRequest) => {
  if ('close' in request) {
    await close();
    port.close();
    return;
  }
  try {
    const { responses } = await messaging.sendEach(request.messages);
    port.postMessage({ id: request.id, responses: responses.map(asData) } satisfies SendReply);
  } catch (error) {
    const { message, code } = error as { message?: string; code?: string };
    port.postMessage({ id: request.id, error: { message: message ?? String(error), code } } satisfies SendReply);
  }
});

/** What haru reads of a response; firebase-admin's errors would lose their code on the way between threads. */
function asData({ success, error }: SendResponse): SendResult {
  if (success || !error) return { success };
  const { httpResponse } = error as { httpResponse?: { status: number; headers: Record<string, unknown> } };
  return {
    success,
    error: {
      code: error.code,
      message: error.message,
      ...(httpResponse ? { httpResponse: { status: httpResponse.status, headers: { ...httpResponse.headers } } } : {}),
    },
  };
}
