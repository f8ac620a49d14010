import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { notificationIdFor } from '@haru/contracts';
import { eventually, fcmMessages, isQueueIdle, metricSample } from '@haru/testing';
import { startTestNotifier, type TestNotifier } from '../test/support/start-test-notifier.ts';
import { questionOpened, questionText, testEvent, testToken } from '../test/support/test-events.ts';
import { createFirebaseMessaging } from './push/firebase-messaging.ts';
import type { PushSender, SendResult } from './push/push-sender.ts';
import type { Locale } from './recipients/recipient.table.ts';

// The whole service: events arrive through SNS and SQS (fauxqs), devices through the
// internal API, pushes leave through firebase-admin to the shared local FCM endpoint.

const messagesTo = async (token: string) =>
  (await fcmMessages()).filter((received) => received.message.token === token).map((received) => received.message);

describe('the notifier service', () => {
  // A web app's settings: what its pushes carry besides the rest.
  const webApp = {
    NOTIFIER_WEB_PUSH_LINK: 'https://app.haru.example/families/{familyId}/questions/{questionId}?push={notificationId}',
    NOTIFIER_WEB_PUSH_ICON: 'https://app.haru.example/icon-192.png',
  };
  let notifier: TestNotifier;
  before(async () => {
    notifier = await startTestNotifier({ settings: webApp });
  });
  after(() => notifier?.stop());

  const join = async (familyId: string, locale: Locale) => {
    const member = { memberId: randomUUID(), uid: `uid-${randomUUID()}` };
    await notifier.publish(
      testEvent('MemberJoined', familyId, { ...member, role: 'parent', displayName: 'x', locale }),
    );
    return member;
  };
  const registerDevice = async (uid: string, token: string) => {
    const response = await notifier.request(`/internal/devices/${token}`, {
      method: 'PUT',
      body: JSON.stringify({ uid, platform: 'ios' }),
    });
    assert.equal(response.status, 204);
  };
  const activeRecipients = async (familyId: string) =>
    (
      await notifier.database.db
        .selectFrom('recipients')
        .select('member_id')
        .where('family_id', '=', familyId)
        .where('active', '=', true)
        .execute()
    ).length;
  const reported = (notificationId: string) =>
    eventually(
      async () =>
        (
          await notifier.database.db
            .selectFrom('notifications')
            .select('reported_at')
            .where('notification_id', '=', notificationId)
            .executeTakeFirst()
        )?.reported_at,
      { message: `notification ${notificationId} sent`, timeoutMs: 20_000 },
    );

  it('when a question opens for a family of two, each with a device, then each device gets one push and the log shows both reached', async () => {
    const familyId = randomUUID();
    const mom = await join(familyId, 'ko');
    const kid = await join(familyId, 'en');
    const [momToken, kidToken] = [testToken(), testToken()];
    await registerDevice(mom.uid, momToken);
    await registerDevice(kid.uid, kidToken);
    await eventually(async () => (await activeRecipients(familyId)) === 2, { message: 'both members joined' });

    const opened = questionOpened(familyId);
    await notifier.publish(opened);
    const notificationId = notificationIdFor(familyId, opened.data.questionId, 'question');
    await reported(notificationId);

    const [toMom] = await messagesTo(momToken);
    const [toKid] = await messagesTo(kidToken);
    assert.equal((await messagesTo(momToken)).length, 1);
    assert.equal((await messagesTo(kidToken)).length, 1);
    assert.deepEqual(toMom?.notification, { title: '오늘의 질문', body: questionText.ko });
    assert.deepEqual(toKid?.notification, { title: "Today's question", body: questionText.en });
    assert.deepEqual(toKid?.data, { kind: 'question', familyId, questionId: opened.data.questionId, notificationId });
    assert.deepEqual(toKid?.android, { collapse_key: notificationId, notification: { tag: notificationId } });
    assert.deepEqual(toKid?.apns, { headers: { 'apns-collapse-id': notificationId } });
    // FCM applies the web block only to web devices; a click there opens the question's page
    // (firebase-admin sends this field in lowerCamelCase, which FCM's v1 API reads alike).
    assert.deepEqual(toKid?.webpush, {
      notification: { tag: notificationId, icon: webApp.NOTIFIER_WEB_PUSH_ICON },
      fcmOptions: {
        link: `https://app.haru.example/families/${familyId}/questions/${opened.data.questionId}?push=${notificationId}`,
      },
    });

    const log = await notifier.request(`/internal/families/${familyId}/notifications`);
    assert.equal(log.status, 200);
    const { items } = (await log.json()) as {
      items: Array<{
        notificationId: string;
        kind: string;
        questionId: string;
        createdAt: string;
        dueAt: string;
        deliveries: Array<{ memberId: string; status: string }>;
      }>;
    };
    const byMember = (a: { memberId: string }, b: { memberId: string }) => a.memberId.localeCompare(b.memberId);
    assert.deepEqual(
      items.map((item) => ({ ...item, deliveries: [...item.deliveries].sort(byMember) })),
      [
        {
          notificationId,
          kind: 'question',
          questionId: opened.data.questionId,
          createdAt: items[0]?.createdAt,
          dueAt: opened.data.openedAt,
          deliveries: [
            { memberId: mom.memberId, status: 'sent' },
            { memberId: kid.memberId, status: 'sent' },
          ].sort(byMember),
        },
      ],
    );
    assert.ok(!Number.isNaN(Date.parse(items[0]?.createdAt ?? '')), 'createdAt is an instant');
  });

  it('when a question is opened ahead of its instant, then its push is prepared but the log leaves it out until then', async () => {
    const familyId = randomUUID();
    const member = await join(familyId, 'en');
    const token = testToken();
    await registerDevice(member.uid, token);
    await eventually(async () => (await activeRecipients(familyId)) === 1, { message: 'the member joined' });

    const ahead = questionOpened(familyId);
    ahead.data.openedAt = new Date(Date.now() + 10 * 60_000).toISOString();
    await notifier.publish(ahead);
    const notificationId = notificationIdFor(familyId, ahead.data.questionId, 'question');
    await eventually(
      async () =>
        (
          await notifier.database.db
            .selectFrom('deliveries')
            .select('status')
            .where('notification_id', '=', notificationId)
            .execute()
        ).length === 1,
      { message: 'its delivery prepared' },
    );

    const log = await notifier.request(`/internal/families/${familyId}/notifications`);
    assert.equal(log.status, 200);
    assert.deepEqual(await log.json(), { items: [] });
    assert.deepEqual(await messagesTo(token), []);
  });

  it('when a device is registered twice, deleted by someone else, then by its owner, then it stays one row and stops getting pushes', async () => {
    const familyId = randomUUID();
    const member = await join(familyId, 'en');
    const [kept, dropped] = [testToken(), testToken()];
    await registerDevice(member.uid, kept);
    await registerDevice(member.uid, dropped);
    await registerDevice(member.uid, dropped);
    const rows = () =>
      notifier.database.db.selectFrom('devices').select(['uid', 'active']).where('token', '=', dropped).execute();
    assert.deepEqual(await rows(), [{ uid: member.uid, active: true }]);

    const byStranger = await notifier.request(`/internal/devices/${dropped}?uid=someone-else`, { method: 'DELETE' });
    assert.equal(byStranger.status, 204);
    assert.deepEqual(await rows(), [{ uid: member.uid, active: true }]);
    const byOwner = await notifier.request(`/internal/devices/${dropped}?uid=${member.uid}`, { method: 'DELETE' });
    assert.equal(byOwner.status, 204);
    assert.deepEqual(await rows(), [{ uid: member.uid, active: false }]);

    await eventually(async () => (await activeRecipients(familyId)) === 1, { message: 'the member joined' });
    const due = testEvent('DueAndComplete', familyId, { questionId: randomUUID(), dueAt: new Date().toISOString() });
    await notifier.publish(due);
    await reported(notificationIdFor(familyId, due.data.questionId, 'complete'));

    assert.equal((await messagesTo(kept)).length, 1);
    assert.deepEqual(await messagesTo(dropped), []);
  });

  it('when the same DueAndComplete is published twice, then each device gets one push, logged once at the time it was held to', async () => {
    const familyId = randomUUID();
    const member = await join(familyId, 'en');
    const token = testToken();
    await registerDevice(member.uid, token);
    await eventually(async () => (await activeRecipients(familyId)) === 1, { message: 'the member joined' });

    const due = testEvent('DueAndComplete', familyId, { questionId: randomUUID(), dueAt: new Date().toISOString() });
    await notifier.publish(due);
    await notifier.publish(due);
    await reported(notificationIdFor(familyId, due.data.questionId, 'complete'));
    await eventually(() => isQueueIdle(notifier.sqs, notifier.queues.queueUrl), {
      message: 'both copies handled',
      timeoutMs: 20_000,
    });

    assert.deepEqual(
      (await messagesTo(token)).map((message) => message.notification),
      [{ title: 'Everyone answered', body: "Everyone answered — go read each other's answers." }],
    );
    // The log's dueAt is the time the push was held to (the end of quiet hours), not when it was prepared.
    const log = await notifier.request(`/internal/families/${familyId}/notifications`);
    const { items } = (await log.json()) as { items: Array<{ kind: string; dueAt: string }> };
    assert.deepEqual(
      items.map(({ kind, dueAt }) => ({ kind, dueAt })),
      [{ kind: 'complete', dueAt: due.data.dueAt }],
    );
  });

  it('when the internal API is called without the service token, then it answers 401', async () => {
    const log = await fetch(`${notifier.url}/internal/families/${randomUUID()}/notifications`);
    assert.equal(log.status, 401);
    assert.equal(log.headers.get('content-type'), 'application/problem+json');
    const register = await fetch(`${notifier.url}/internal/devices/${testToken()}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-haru-service-token': 'wrong-token-of-some-length' },
      body: JSON.stringify({ uid: 'u', platform: 'web' }),
    });
    assert.equal(register.status, 401);
  });

  it('when pushes go to healthy, unregistered, invalid and flaky tokens, then FCM results are counted by code', async () => {
    const fcmResults = async () => {
      const response = await notifier.request('/metrics');
      assert.equal(response.status, 200);
      const text = await response.text();
      const count = (result: string) => metricSample(text, 'haru_fcm_results_total', { result }) ?? 0;
      return Object.fromEntries(
        ['sent', 'unregistered', 'invalid-argument', 'unavailable', 'quota', 'other'].map((result) => [
          result,
          count(result),
        ]),
      );
    };
    const familyId = randomUUID();
    const member = await join(familyId, 'en');
    for (const token of [testToken(), testToken('unregistered'), testToken('invalid'), testToken('flaky')]) {
      await registerDevice(member.uid, token);
    }
    await eventually(async () => (await activeRecipients(familyId)) === 1, { message: 'the member joined' });
    const before = await fcmResults();

    const due = testEvent('DueAndComplete', familyId, { questionId: randomUUID(), dueAt: new Date().toISOString() });
    await notifier.publish(due);
    await reported(notificationIdFor(familyId, due.data.questionId, 'complete'));

    const after = await fcmResults();
    const counted = Object.fromEntries(
      Object.entries(after).map(([result, count]) => [result, count - (before[result] ?? 0)]),
    );
    // firebase-admin itself retries FCM's 503 (after its Retry-After), so the flaky token's push reads as sent.
    assert.deepEqual(counted, { sent: 2, unregistered: 1, 'invalid-argument': 1, unavailable: 0, quota: 0, other: 0 });
  });

  it("when /metrics is scraped, then it reports the heap in use and the heap kept on the send threads, which firebase-admin's apps hold", async () => {
    const metrics = await (await notifier.request('/metrics')).text();

    const sendThreadsHeap = metricSample(metrics, 'haru_notifier_send_threads_heap_used_bytes') ?? 0;
    assert.ok(sendThreadsHeap > 2 ** 20, `the send threads' heap: ${sendThreadsHeap} bytes`);
    const sendThreadsHeapKept = metricSample(metrics, 'haru_notifier_send_threads_heap_live_bytes') ?? 0;
    assert.ok(sendThreadsHeapKept > 2 ** 20, `the send threads' heap kept: ${sendThreadsHeapKept} bytes`);
  });

  it('when /metrics is asked for without the service credential, then it answers 401', async () => {
    assert.equal((await fetch(`${notifier.url}/metrics`)).status, 401);
  });

  it('when probed, then it is alive and ready', async () => {
    assert.equal((await fetch(`${notifier.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${notifier.url}/readyz`)).status, 200);
  });
});

describe('the notifier service when FCM refuses a push at first', () => {
  // firebase-admin to the shared endpoint, except that the first sends to `refused` fail
  // as FCM's INTERNAL errors do (no Retry-After).
  const fcm = createFirebaseMessaging({ projectId: 'demo-haru', fcmEndpointUrl: process.env.HARU_TEST_FCM_URL });
  const refused = new Map<string, number>();
  const sender: PushSender = {
    async sendEach(messages) {
      const passing = messages.filter((message) => !(refused.get(message.token) ?? 0));
      const { responses } = passing.length > 0 ? await fcm.messaging.sendEach(passing) : { responses: [] };
      const answers = new Map(passing.map((message, index) => [message.token, responses[index] as SendResult]));
      return {
        responses: messages.map((message) => {
          const left = refused.get(message.token) ?? 0;
          if (!left) return answers.get(message.token) ?? { success: false };
          refused.set(message.token, left - 1);
          return {
            success: false,
            error: { code: 'messaging/internal-error', message: 'Internal error encountered.' },
          };
        }),
      };
    },
  };
  let notifier: TestNotifier;
  before(async () => {
    notifier = await startTestNotifier({ sender });
  });
  after(async () => {
    await notifier?.stop();
    await fcm.close();
  });

  it('when FCM refuses a push three times, then the sender sends it again each time it is due, once in the end, and the event is never dead-lettered', async () => {
    const familyId = randomUUID();
    const member = { memberId: randomUUID(), uid: `uid-${randomUUID()}` };
    await notifier.publish(
      testEvent('MemberJoined', familyId, { ...member, role: 'child', displayName: 'x', locale: 'ko' }),
    );
    const token = testToken();
    refused.set(token, 3);
    const registered = await notifier.request(`/internal/devices/${token}`, {
      method: 'PUT',
      body: JSON.stringify({ uid: member.uid, platform: 'android' }),
    });
    assert.equal(registered.status, 204);
    await eventually(
      async () =>
        (await notifier.database.db
          .selectFrom('recipients')
          .select('member_id')
          .where('family_id', '=', familyId)
          .executeTakeFirst()) !== undefined,
      { message: 'the member joined' },
    );

    const opened = questionOpened(familyId);
    await notifier.publish(opened);
    const notificationId = notificationIdFor(familyId, opened.data.questionId, 'question');
    const delivery = () =>
      notifier.database.db
        .selectFrom('deliveries')
        .select(['status', 'attempts'])
        .where('notification_id', '=', notificationId)
        .executeTakeFirst();
    await eventually(async () => (await delivery())?.status === 'sent', {
      message: 'sent by the due-delivery sender, after its backoff',
      timeoutMs: 20_000,
    });

    assert.deepEqual(await delivery(), { status: 'sent', attempts: 4 });
    const metrics = await (await notifier.request('/metrics')).text();
    assert.equal(metricSample(metrics, 'haru_fcm_results_total', { result: 'other' }), 3, 'each refusal counted');
    assert.equal(metricSample(metrics, 'haru_fcm_results_total', { result: 'sent' }), 1);
    assert.equal(
      metricSample(metrics, 'haru_push_lateness_seconds_count', { kind: 'question' }),
      1,
      'its lateness observed',
    );
    assert.equal(metricSample(metrics, 'haru_deliveries_pending', { state: 'due' }), 0, 'no backlog left');
    for (const name of ['haru_notifier_send_threads_heap_used_bytes', 'haru_notifier_send_threads_heap_live_bytes']) {
      assert.equal(metricSample(metrics, name), undefined, `no send threads of its own: ${name}`);
    }
    assert.equal((await messagesTo(token)).length, 1);
    await eventually(() => isQueueIdle(notifier.sqs, notifier.queues.queueUrl), { message: 'the event acknowledged' });
    assert.equal(await isQueueIdle(notifier.sqs, notifier.queues.deadLetterQueueUrl), true, 'nothing dead-lettered');
  });
});
