import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { eventually, fcmMessages } from '@haru/testing';
import { pushMessage } from './push-message.ts';
import type { SendReply } from './send-thread.ts';
import { type SendThreads, startSendThreads } from './send-threads.ts';

const message = (token: string) =>
  pushMessage({
    token,
    notificationId: randomUUID(),
    kind: 'question',
    familyId: randomUUID(),
    questionId: randomUUID(),
    content: { title: '오늘의 질문', body: '가족에게 가장 고마운 순간은?' },
  });

describe('firebase-admin on send threads', () => {
  // Started in a hook rather than where the suite is declared: a run that filters out every
  // test here (--test-name-pattern) runs neither hook, and would be left waiting on the threads.
  let threads: SendThreads;
  before(() => {
    threads = startSendThreads({ projectId: 'demo-haru', fcmEndpointUrl: process.env.HARU_TEST_FCM_URL, threads: 2 });
  });
  after(() => threads.close());

  it('when messages are sent, then each result comes back in order with firebase-admin code and message', async () => {
    const valid = `device-${randomUUID()}`;
    const unregistered = `unregistered-${randomUUID()}`;
    const invalid = `invalid-${randomUUID()}`;

    const { responses } = await threads.sendEach([message(valid), message(unregistered), message(invalid)]);

    assert.deepEqual(responses, [
      { success: true },
      {
        success: false,
        error: {
          code: 'messaging/registration-token-not-registered',
          message: 'Requested entity was not found.',
          httpResponse: { status: 404, headers: responses[1]?.error?.httpResponse?.headers ?? {} },
        },
      },
      {
        success: false,
        error: {
          code: 'messaging/invalid-argument',
          message: 'The registration token is not a valid FCM registration token',
          httpResponse: { status: 400, headers: responses[2]?.error?.httpResponse?.headers ?? {} },
        },
      },
    ]);
    const received = (await fcmMessages()).filter((entry) =>
      [valid, unregistered, invalid].includes(entry.message.token ?? ''),
    );
    assert.deepEqual(
      received.map((entry) => entry.message.token),
      [valid],
    );
  });

  it('when many sends are under way at once, then each caller gets the results of its own messages', async () => {
    const calls = Array.from({ length: 8 }, (_, call) =>
      Array.from({ length: 50 }, (_, index) =>
        index === call ? `unregistered-${randomUUID()}` : `device-${randomUUID()}`,
      ),
    );

    const results = await Promise.all(calls.map((tokens) => threads.sendEach(tokens.map(message))));

    results.forEach(({ responses }, call) => {
      assert.equal(responses.length, 50);
      const failed = responses.flatMap((response, index) => (response.success ? [] : [index]));
      assert.deepEqual(failed, [call], `call ${call}'s refused message`);
    });
    const sent = new Set((await fcmMessages()).map((entry) => entry.message.token));
    assert.ok(calls.every((tokens, call) => tokens.every((token, index) => sent.has(token) === (index !== call))));
  });
});

describe("the send threads' heap", () => {
  it('when the notifier has two threads, then the heap in use and the heap kept of each are counted', async () => {
    const started = [1, 2].map((count) =>
      startSendThreads({ projectId: 'demo-haru', fcmEndpointUrl: process.env.HARU_TEST_FCM_URL, threads: count }),
    );
    try {
      const [one, two] = started;
      await Promise.all(started.map((threads) => threads.ready()));

      const [heapOfOne, heapOfTwo] = await Promise.all([one?.heapUsedBytes(), two?.heapUsedBytes()]);
      const [keptByOne, keptByTwo] = [one?.liveHeapBytes(), two?.liveHeapBytes()];

      // Each thread holds its own Firebase app: two hold about twice what one does.
      assert.ok(heapOfOne !== undefined && heapOfOne > 2 ** 20, `one thread's heap: ${heapOfOne} bytes`);
      assert.ok(heapOfTwo !== undefined && heapOfTwo > 1.5 * heapOfOne, `two threads' heap: ${heapOfTwo} bytes`);
      assert.ok(keptByOne !== undefined && keptByOne > 2 ** 20, `one thread's heap kept: ${keptByOne} bytes`);
      // Either may have collected in full since it started (a thread's kept heap is then about
      // 10 MiB against 17 at its start), so two are only held to keep more than one.
      assert.ok(keptByTwo !== undefined && keptByTwo > keptByOne, `two threads' heap kept: ${keptByTwo} bytes`);
    } finally {
      await Promise.all(started.map((threads) => threads.close()));
    }
  });

  it('when a send thread collects its heap in full, then it reports the heap it keeps', async () => {
    const worker = new Worker(new URL('./send-thread.ts', import.meta.url), {
      workerData: { projectId: 'demo-haru', fcmEndpointUrl: process.env.HARU_TEST_FCM_URL },
    });
    const replies: SendReply[] = [];
    worker.on('message', (reply: SendReply) => replies.push(reply));
    try {
      await eventually(() => replies.some((reply) => 'ready' in reply), { message: 'the thread started' });
      const reported = () => replies.filter((reply) => !('ready' in reply) && 'liveHeapBytes' in reply);
      const before = reported().length;

      // A heap snapshot collects the thread's garbage in full before it is taken.
      const snapshot = await worker.getHeapSnapshot();
      snapshot.resume();
      await once(snapshot, 'end');

      await eventually(() => reported().length > before, {
        timeoutMs: 30_000,
        message: `the heap kept reported (the thread's replies: ${JSON.stringify(replies)})`,
      });
      const kept = reported().at(-1);
      assert.ok(kept && 'liveHeapBytes' in kept && kept.liveHeapBytes > 2 ** 20, `heap kept: ${JSON.stringify(kept)}`);
    } finally {
      await worker.terminate();
    }
  });
});

describe('a send thread that FCM asks to wait', () => {
  it('when FCM answers 429 with Retry-After, then the result keeps the status and the header the wait is taken from', async () => {
    const quota = createServer((request, response) => {
      request.resume().on('end', () => {
        response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '120' }).end(
          JSON.stringify({
            error: {
              code: 429,
              message: 'Quota exceeded.',
              status: 'RESOURCE_EXHAUSTED',
              details: [
                { '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'QUOTA_EXCEEDED' },
              ],
            },
          }),
        );
      });
    });
    quota.listen(0, '127.0.0.1');
    await once(quota, 'listening');
    const url = `http://127.0.0.1:${(quota.address() as AddressInfo).port}`;
    const threads = startSendThreads({ projectId: 'demo-haru', fcmEndpointUrl: url, threads: 1 });
    try {
      const { responses } = await threads.sendEach([message(`device-${randomUUID()}`)]);

      assert.equal(responses[0]?.success, false);
      assert.equal(responses[0]?.error?.code, 'messaging/message-rate-exceeded');
      assert.equal(responses[0]?.error?.httpResponse?.status, 429);
      assert.equal(responses[0]?.error?.httpResponse?.headers['retry-after'], '120');
    } finally {
      await threads.close();
      quota.closeAllConnections();
      quota.close();
    }
  });
});

describe('a send thread that stops', () => {
  it('when a thread cannot run, then it is not ready, its sends fail with the reason instead of waiting, and the next send starts another', async () => {
    const threads = startSendThreads({ projectId: 'demo-haru', fcmEndpointUrl: 'not a url', threads: 1 });
    try {
      await assert.rejects(threads.ready(), /the send thread stopped: .*Invalid URL/);
      await assert.rejects(
        threads.sendEach([message(`device-${randomUUID()}`)]),
        /the send thread stopped: .*Invalid URL/,
      );
      await assert.rejects(
        threads.sendEach([message(`device-${randomUUID()}`)]),
        /the send thread stopped: .*Invalid URL/,
      );
    } finally {
      await threads.close();
    }
  });
});
