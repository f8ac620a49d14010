import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { type AddressInfo, connect, createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { fcmMessages, fcmRejections } from '@haru/testing';
import { createFirebaseMessaging, localConnections } from './firebase-messaging.ts';

describe('firebase-admin messaging against the local FCM endpoint', () => {
  const { messaging, close } = createFirebaseMessaging({
    projectId: 'demo-haru',
    fcmEndpointUrl: process.env.HARU_TEST_FCM_URL,
  });
  after(close);

  const token = (prefix = 'device-') => `${prefix}${randomUUID()}`;

  it('when a message is sent to a device token, then the endpoint receives it as firebase-admin sent it', async () => {
    const notificationId = randomUUID();
    const device = token();

    const { successCount, responses } = await messaging.sendEach([
      {
        token: device,
        data: { kind: 'question', familyId: 'family-1', questionId: 'question-1', notificationId },
        notification: { title: '오늘의 질문', body: '가족에게 가장 고마운 순간은?' },
        android: { collapseKey: notificationId, notification: { tag: notificationId } },
        apns: { headers: { 'apns-collapse-id': notificationId } },
        webpush: { notification: { tag: notificationId } },
      },
    ]);

    assert.equal(successCount, 1);
    assert.match(responses[0]?.messageId ?? '', /^projects\/demo-haru\/messages\/.+/);
    const received = (await fcmMessages()).filter((entry) => entry.message.token === device);
    assert.equal(received.length, 1);
    assert.equal(received[0]?.projectId, 'demo-haru');
    assert.deepEqual(received[0]?.message, {
      token: device,
      data: { kind: 'question', familyId: 'family-1', questionId: 'question-1', notificationId },
      notification: { title: '오늘의 질문', body: '가족에게 가장 고마운 순간은?' },
      android: { collapse_key: notificationId, notification: { tag: notificationId } },
      apns: { headers: { 'apns-collapse-id': notificationId } },
      webpush: { notification: { tag: notificationId } },
    });
  });

  it('when tokens are unregistered or invalid, then each send fails with its firebase-admin error code', async () => {
    const unregistered = token('unregistered-');
    const invalid = token('invalid-');
    const valid = token();

    const { successCount, failureCount, responses } = await messaging.sendEach([
      { token: unregistered, data: { kind: 'question' } },
      { token: invalid, data: { kind: 'question' } },
      { token: valid, data: { kind: 'question' } },
    ]);

    assert.equal(successCount, 1);
    assert.equal(failureCount, 2);
    assert.equal(responses[0]?.error?.code, 'messaging/registration-token-not-registered');
    assert.equal(responses[1]?.error?.code, 'messaging/invalid-argument');
    assert.equal(responses[1]?.error?.message, 'The registration token is not a valid FCM registration token');
    assert.equal(responses[2]?.success, true);
    const delivered = (await fcmMessages()).map((entry) => entry.message.token);
    assert.ok(delivered.includes(valid));
    assert.ok(!delivered.includes(unregistered) && !delivered.includes(invalid));
  });

  it('when FCM answers 503 with Retry-After once, then firebase-admin itself retries after it and the send succeeds', async () => {
    const flaky = token('flaky-');
    const started = Date.now();

    const { successCount } = await messaging.sendEach([{ token: flaky, data: { kind: 'reminder' } }]);

    assert.equal(successCount, 1);
    assert.ok(Date.now() - started >= 1000, 'waited for Retry-After: 1');
    const refused = (await fcmRejections()).filter((entry) => entry.message.token === flaky);
    assert.deepEqual(
      refused.map((entry) => [entry.status, entry.errorCode]),
      [[503, 'UNAVAILABLE']],
    );
    assert.equal((await fcmMessages()).filter((entry) => entry.message.token === flaky).length, 1);
  });
});

describe('connections to the local FCM endpoint', () => {
  /** A TCP relay to the shared endpoint that counts the connections made through it. */
  async function countingRelay() {
    const target = new URL(process.env.HARU_TEST_FCM_URL ?? '');
    const relay = { opened: 0, url: '', close: async () => {} };
    const server = createServer((client) => {
      relay.opened += 1;
      const upstream = connect({ host: target.hostname, port: Number(target.port) });
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    relay.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    relay.close = () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.unref();
      });
    return relay;
  }

  it('when sendEach is called again and again with hundreds of messages, then they share a few kept-alive connections', async () => {
    const relay = await countingRelay();
    const { messaging, close } = createFirebaseMessaging({ projectId: 'demo-haru', fcmEndpointUrl: relay.url });
    try {
      for (let call = 0; call < 3; call += 1) {
        const messages = Array.from({ length: 200 }, () => ({
          token: `device-${randomUUID()}`,
          data: { kind: 'question' },
        }));
        const { successCount } = await messaging.sendEach(messages);
        assert.equal(successCount, 200);
      }
      assert.ok(relay.opened > 0 && relay.opened <= localConnections, `${relay.opened} connections for 600 messages`);
    } finally {
      await close();
      await relay.close();
    }
  });
});
