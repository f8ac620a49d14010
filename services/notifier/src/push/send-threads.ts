import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { FirebaseMessagingOptions } from './firebase-messaging.ts';
import type { PushMessage } from './push-message.ts';
import type { PushSender, SendResult } from './push-sender.ts';
import type { SendReply, SendRequest } from './send-thread.ts';

export interface SendThreads extends PushSender {
  /** Resolves when every thread has its Firebase app (rejects if one could not start). */
  ready(): Promise<void>;
  /** JavaScript heap in use on the threads, summed (their garbage not yet collected included). */
  heapUsedBytes(): Promise<number>;
  /** JavaScript heap the threads keep: each one's in use just after its last full collection, summed. */
  liveHeapBytes(): number;
  /** Releases each thread's Firebase app and connections; called once nothing is sending. */
  close(): Promise<void>;
}

interface SendThread {
  worker: Worker;
  started: Promise<void>;
  /** Messages sent to this thread whose results are still to come. */
  inFlight: number;
  /** Its heap in use just after its last full collection, as it last reported it. */
  liveHeapBytes: number;
  waiting: Map<number, { resolve(responses: SendResult[]): void; reject(error: Error): void; size: number }>;
}

/**
 * firebase-admin's sends on `threads` threads of their own, each with its own Firebase app
 * and connections; each `sendEach` goes to the thread with the fewest messages in hand.
 * Building and sending FCM's requests and reading its answers is most of a push's CPU: on
 * one thread with the rest of the notifier, a burst kept that thread busy while the cores
 * had room. On their own threads the sends use the cores the database's round trips leave,
 * and the consumer and the API do not wait behind them. A thread that stops fails the sends
 * it had (their deliveries come due again after their lease); the next send starts another.
 */
export function startSendThreads({
  threads,
  ...messaging
}: FirebaseMessagingOptions & { threads: number }): SendThreads {
  let nextId = 0;
  let closing = false;
  const pool: Array<SendThread | undefined> = Array.from({ length: threads }, () => undefined);

  const start = (slot: number): SendThread => {
    const worker = new Worker(new URL('./send-thread.ts', import.meta.url), { workerData: messaging });
    const started = Promise.withResolvers<void>();
    const thread: SendThread = {
      worker,
      started: started.promise,
      inFlight: 0,
      liveHeapBytes: 0,
      waiting: new Map(),
    };
    thread.started.catch(() => {});
    worker.on('message', (reply: SendReply) => {
      if ('liveHeapBytes' in reply) {
        thread.liveHeapBytes = reply.liveHeapBytes;
        if ('ready' in reply) started.resolve();
        return;
      }
      const waiting = thread.waiting.get(reply.id);
      if (!waiting) return;
      thread.waiting.delete(reply.id);
      thread.inFlight -= waiting.size;
      if ('responses' in reply) return waiting.resolve(reply.responses);
      waiting.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
    });
    // 'error' is followed by 'exit': the sends are failed once, by the first.
    const stopped = (reason: string) => {
      started.reject(new Error(`the send thread stopped: ${reason}`));
      for (const { reject } of thread.waiting.values()) reject(new Error(`the send thread stopped: ${reason}`));
      thread.waiting.clear();
      thread.inFlight = 0;
      if (pool[slot] === thread && !closing) pool[slot] = undefined;
    };
    worker.on('error', (error) => stopped(error.message));
    worker.on('exit', (code) => stopped(`exit code ${code}`));
    pool[slot] = thread;
    return thread;
  };
  for (let slot = 0; slot < threads; slot++) start(slot);

  /** The thread with the fewest messages in hand; a slot whose thread stopped gets a new one. */
  const leastBusy = (): SendThread => {
    let chosen: SendThread | undefined;
    for (let slot = 0; slot < pool.length; slot++) {
      const thread = pool[slot] ?? start(slot);
      if (!chosen || thread.inFlight < chosen.inFlight) chosen = thread;
    }
    if (!chosen) throw new Error('no send thread: threads must be at least 1');
    return chosen;
  };

  return {
    async ready() {
      await Promise.all(pool.map((thread) => thread?.started));
    },
    async heapUsedBytes() {
      const running = pool.filter((thread) => thread !== undefined);
      // A thread that stops while it is asked has no heap to count.
      const heaps = await Promise.all(
        running.map((thread) =>
          thread.worker.getHeapStatistics().then(
            (heap) => heap.used_heap_size,
            () => 0,
          ),
        ),
      );
      return heaps.reduce((sum, bytes) => sum + bytes, 0);
    },
    liveHeapBytes() {
      return pool.reduce((sum, thread) => sum + (thread?.liveHeapBytes ?? 0), 0);
    },
    sendEach(messages: PushMessage[]) {
      if (closing) return Promise.reject(new Error('the send threads are closed'));
      const thread = leastBusy();
      const id = nextId++;
      return new Promise((resolve, reject) => {
        thread.waiting.set(id, { resolve: (responses) => resolve({ responses }), reject, size: messages.length });
        thread.inFlight += messages.length;
        try {
          thread.worker.postMessage({ id, messages } satisfies SendRequest);
        } catch (error) {
          thread.waiting.delete(id);
          thread.inFlight -= messages.length;
          reject(error);
        }
      });
    },
    async close() {
      closing = true;
      await Promise.all(
        pool.map(async (thread) => {
          if (!thread) return;
          const exited = once(thread.worker, 'exit');
          thread.worker.postMessage({ close: true } satisfies SendRequest);
          await exited;
        }),
      );
    },
  };
}
