import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { notificationIdFor } from '@haru/contracts';
import { eventually, fcmMessages, fcmRejections } from '@haru/testing';
import { sql } from 'kysely';
import type { Locale } from '../recipients/recipient.table.ts';
import { createTestHandler, type TestHandler } from '../testing/create-test-handler.ts';
import { questionOpened, questionText, testEvent, testToken } from '../testing/test-events.ts';
import type { PushMessage } from './push-message.ts';
import type { PushSender, SendResult } from './push-sender.ts';

// Each test makes its own family, members and device tokens; the FCM endpoint is shared
// by every test file, so what reached it is looked up by token.
const messagesTo = async (token: string) =>
  (await fcmMessages()).filter((received) => received.message.token === token).map((received) => received.message);
const rejectionsOf = async (token: string) =>
  (await fcmRejections()).filter((rejected) => rejected.message.token === token);

interface TestMember {
  memberId: string;
  uid: string;
  tokens: string[];
}

/** A family whose members joined and registered their devices. */
async function family(handler: TestHandler, members: Array<{ locale: Locale; tokens: string[] }>) {
  const familyId = randomUUID();
  const joined: TestMember[] = [];
  for (const { locale, tokens } of members) {
    const member = { memberId: randomUUID(), uid: `uid-${randomUUID()}`, tokens };
    await handler.handle(
      testEvent('MemberJoined', familyId, {
        memberId: member.memberId,
        uid: member.uid,
        role: 'parent',
        displayName: 'someone',
        locale,
      }),
    );
    for (const token of tokens) await handler.registerDevice(member.uid, token);
    joined.push(member);
  }
  return { familyId, members: joined };
}

const deliveriesOf = (handler: TestHandler, notificationId: string) =>
  handler.database.db
    .selectFrom('deliveries')
    .selectAll()
    .where('notification_id', '=', notificationId)
    .orderBy('token')
    .execute();

describe('delivering pushes through firebase-admin to the FCM endpoint', () => {
  let handler: TestHandler;
  before(async () => {
    handler = await createTestHandler();
  });
  after(() => handler?.close());

  it('when a question opens, then each member device gets one push in its language, tagged with the notification id', async () => {
    const ko = testToken();
    const en = testToken();
    const { familyId } = await family(handler, [
      { locale: 'ko', tokens: [ko] },
      { locale: 'en', tokens: [en] },
    ]);
    const opened = questionOpened(familyId);
    await handler.handle(opened);

    const notificationId = notificationIdFor(familyId, opened.data.questionId, 'question');
    const data = { kind: 'question', familyId, questionId: opened.data.questionId, notificationId };
    for (const [token, title, body] of [
      [ko, '오늘의 질문', questionText.ko],
      [en, "Today's question", questionText.en],
    ] as const) {
      assert.deepEqual(await messagesTo(token), [
        {
          token,
          notification: { title, body },
          data,
          android: { collapse_key: notificationId, notification: { tag: notificationId } },
          apns: { headers: { 'apns-collapse-id': notificationId } },
        },
      ]);
    }
  });

  it('when the same QuestionOpened is delivered again, at once or later, then each device still has one push', async () => {
    const tokens = [testToken(), testToken()];
    const { familyId } = await family(handler, [{ locale: 'en', tokens }]);
    const opened = questionOpened(familyId);

    await Promise.all([handler.handle(opened), handler.handle(opened)]);
    await handler.handle(opened);

    for (const token of tokens) assert.equal((await messagesTo(token)).length, 1, token);
    const sent = (await handler.emitted('NotificationSent')).filter((event) => event.familyId === familyId);
    assert.deepEqual(
      sent.map((event) => event.data),
      [
        {
          notificationId: notificationIdFor(familyId, opened.data.questionId, 'question'),
          kind: 'question',
          questionId: opened.data.questionId,
          delivered: 2,
          failed: 0,
        },
      ],
    );
  });

  for (const prefix of ['unregistered', 'invalid'] as const) {
    it(`when a token is ${prefix}, then it is marked invalid after one send, reported, and skipped from then on`, async () => {
      const dead = testToken(prefix);
      const alive = testToken();
      const { familyId, members } = await family(handler, [{ locale: 'ko', tokens: [dead, alive] }]);
      const opened = questionOpened(familyId);
      await handler.handle(opened);

      const notificationId = notificationIdFor(familyId, opened.data.questionId, 'question');
      const deliveries = await deliveriesOf(handler, notificationId);
      const deadDelivery = deliveries.find((delivery) => delivery.token === dead);
      assert.equal(deadDelivery?.status, 'invalid');
      assert.equal(deadDelivery?.attempts, 1);
      assert.ok(deadDelivery?.error_code?.startsWith('messaging/'), deadDelivery?.error_code ?? 'no code');
      assert.ok(deadDelivery?.error_message, 'the provider message is kept');
      const device = await handler.database.db
        .selectFrom('devices')
        .select('active')
        .where('token', '=', dead)
        .executeTakeFirstOrThrow();
      assert.equal(device.active, false);
      const invalidated = (await handler.emitted('DeviceTokenInvalidated')).filter(
        (event) => event.familyId === familyId,
      );
      assert.deepEqual(
        invalidated.map((event) => ({ memberId: event.data.memberId, causationId: event.causationId })),
        [{ memberId: members[0]?.memberId, causationId: opened.id }],
      );

      await handler.handle(
        testEvent('DueAndComplete', familyId, { questionId: opened.data.questionId, dueAt: new Date().toISOString() }),
      );

      assert.equal((await rejectionsOf(dead)).length, 1, 'the endpoint saw the dead token once');
      assert.equal((await messagesTo(dead)).length, 0);
      assert.deepEqual(
        (await messagesTo(alive)).map((message) => (message.data as { kind: string }).kind),
        ['question', 'complete'],
      );
    });
  }

  it('when the same DueAndComplete is delivered twice, at once and later, then each device gets one push in its language', async () => {
    const ko = testToken();
    const en = testToken();
    const { familyId } = await family(handler, [
      { locale: 'ko', tokens: [ko] },
      { locale: 'en', tokens: [en] },
    ]);
    const due = testEvent('DueAndComplete', familyId, { questionId: randomUUID(), dueAt: new Date().toISOString() });

    await Promise.all([handler.handle(due), handler.handle(due)]);
    await handler.handle({ ...due, id: randomUUID() });

    const notificationId = notificationIdFor(familyId, due.data.questionId, 'complete');
    assert.deepEqual(
      (await messagesTo(ko)).map((message) => [message.notification, message.data]),
      [
        [
          { title: '모두 답했어요', body: '모두 답했어요 — 서로의 답을 읽어 보세요.' },
          { kind: 'complete', familyId, questionId: due.data.questionId, notificationId },
        ],
      ],
    );
    assert.deepEqual(
      (await messagesTo(en)).map((message) => message.notification),
      [{ title: 'Everyone answered', body: "Everyone answered — go read each other's answers." }],
    );
    const sent = (await handler.emitted('NotificationSent')).filter((event) => event.familyId === familyId);
    assert.deepEqual(
      sent.map((event) => [event.data.delivered, event.causationId]),
      [[2, due.id]],
    );
  });

  it('when a token is flaky, then it receives exactly one push after the retry', async () => {
    const flaky = testToken('flaky');
    const { familyId } = await family(handler, [{ locale: 'en', tokens: [flaky] }]);
    const opened = questionOpened(familyId);
    await handler.handle(opened);

    // firebase-admin itself retried the 503 after its Retry-After: one refusal, one push.
    assert.deepEqual(
      (await rejectionsOf(flaky)).map((rejected) => [rejected.status, rejected.errorCode]),
      [[503, 'UNAVAILABLE']],
    );
    assert.equal((await messagesTo(flaky)).length, 1);
    const [delivery] = await deliveriesOf(handler, notificationIdFor(familyId, opened.data.questionId, 'question'));
    assert.equal(delivery?.status, 'sent');

    await handler.handle(opened);
    await handler.sweep();
    assert.equal((await messagesTo(flaky)).length, 1, 'never sent again');
  });

  it('when a member left, before or after their join arrived, then they get no push', async () => {
    const stays = testToken();
    const leaves = testToken();
    const leftBeforeJoining = testToken();
    const { familyId, members } = await family(handler, [
      { locale: 'en', tokens: [stays] },
      { locale: 'en', tokens: [leaves] },
    ]);
    await handler.handle(testEvent('MemberLeft', familyId, { memberId: members[1]?.memberId ?? '' }));
    const late = { memberId: randomUUID(), uid: `uid-${randomUUID()}` };
    await handler.handle(testEvent('MemberLeft', familyId, { memberId: late.memberId }));
    await handler.handle(
      testEvent('MemberJoined', familyId, { ...late, role: 'child', displayName: 'late', locale: 'ko' }),
    );
    await handler.registerDevice(late.uid, leftBeforeJoining);

    await handler.handle(questionOpened(familyId));

    assert.equal((await messagesTo(stays)).length, 1);
    assert.equal((await messagesTo(leaves)).length, 0);
    assert.equal((await messagesTo(leftBeforeJoining)).length, 0);
  });

  it('when a reminder is due, then only the listed members get it, quoting the question', async () => {
    const listed = testToken();
    const other = testToken();
    const { familyId, members } = await family(handler, [
      { locale: 'ko', tokens: [listed] },
      { locale: 'ko', tokens: [other] },
    ]);
    const opened = questionOpened(familyId);
    await handler.handle(opened);
    await handler.handle(
      testEvent('ReminderDue', familyId, {
        questionId: opened.data.questionId,
        memberIds: [members[0]?.memberId ?? ''],
        dueAt: new Date().toISOString(),
      }),
    );

    const reminders = async (token: string) =>
      (await messagesTo(token)).filter((message) => (message.data as { kind: string }).kind === 'reminder');
    assert.deepEqual(
      (await reminders(listed)).map((message) => (message.notification as { body: string }).body),
      [questionText.ko],
    );
    assert.equal((await reminders(other)).length, 0);
  });
});

/**
 * FCM as a stub: tokens in `unavailable` are refused as overloaded (Retry-After: 2), those
 * in `overQuota` as over quota (429, no Retry-After); while `down` is set every call fails
 * as a whole; while `held` is set, sends wait for it. `attempts` counts sends per token.
 */
function stubSender() {
  const stub = {
    unavailable: new Set<string>(),
    overQuota: new Set<string>(),
    down: false,
    sent: [] as PushMessage[],
    attempts: new Map<string, number>(),
    inFlight: 0,
    held: undefined as Promise<void> | undefined,
    sender: {} as PushSender,
  };
  const refusal = (code: string, message: string, status: number, headers: Record<string, string>): SendResult => ({
    success: false,
    error: { code, message, httpResponse: { status, headers } },
  });
  stub.sender = {
    async sendEach(messages) {
      stub.inFlight += 1;
      await stub.held;
      stub.inFlight -= 1;
      if (stub.down) throw new Error('connect ECONNREFUSED fcm.googleapis.com:443');
      const responses = messages.map((message): SendResult => {
        stub.attempts.set(message.token, (stub.attempts.get(message.token) ?? 0) + 1);
        if (stub.unavailable.has(message.token)) {
          return refusal('messaging/server-unavailable', 'The service is currently unavailable.', 503, {
            'retry-after': '2',
          });
        }
        if (stub.overQuota.has(message.token)) {
          return refusal('messaging/message-rate-exceeded', 'Quota exceeded for the project.', 429, {});
        }
        stub.sent.push(message);
        return { success: true };
      });
      return { responses };
    },
  };
  return stub;
}

describe('when FCM is slow, unavailable or over quota', () => {
  const fcm = stubSender();
  const waits: number[] = [];
  // The handler's clock, moved by the tests instead of waiting.
  let now = Date.now();
  const later = (ms: number) => {
    now += ms;
  };
  let handler: TestHandler;
  before(async () => {
    handler = await createTestHandler({
      sender: fcm.sender,
      clock: () => new Date(now),
      attemptsPerPass: 3,
      maxAttempts: 5,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
  });
  after(() => handler?.close());

  const sentTo = (familyId: string) =>
    fcm.sent.filter((message) => message.data.familyId === familyId).map((message) => message.token);
  const reported = async (familyId: string) =>
    (await handler.emitted('NotificationSent'))
      .filter((event) => event.familyId === familyId)
      .map((event) => [event.data.delivered, event.data.failed]);

  it('when two copies of an event are handled at once, then the second waits for the first and sends nothing', async () => {
    const tokens = [testToken(), testToken()];
    const { familyId } = await family(handler, [{ locale: 'ko', tokens }]);
    const opened = questionOpened(familyId);
    let release = () => {};
    fcm.held = new Promise<void>((resolve) => {
      release = resolve;
    });

    const first = handler.handle(opened);
    let second: Promise<void> | undefined;
    try {
      await eventually(() => fcm.inFlight === 1, { message: 'the first copy is sending' });
      second = handler.handle(opened);
      await eventually(
        async () => {
          const { rows } = await sql<{ waiting: number }>`
            select count(*)::int as waiting from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock'`.execute(handler.database.db);
          return rows[0]?.waiting === 1;
        },
        { message: 'the second copy waits for the notification lock' },
      );
    } finally {
      release();
      fcm.held = undefined;
      await Promise.allSettled([first, second]);
    }
    await Promise.all([first, second]);

    assert.deepEqual(sentTo(familyId).sort(), [...tokens].sort());
  });

  it('when FCM stays unavailable for some tokens, then they wait pending and the retry sweep sends only them, once, when due', async () => {
    const fine = testToken();
    const down = testToken();
    const gone = testToken();
    const { familyId, members } = await family(handler, [
      { locale: 'en', tokens: [fine, down] },
      { locale: 'en', tokens: [gone] },
    ]);
    fcm.unavailable.add(down).add(gone);
    const due = testEvent('DueAndComplete', familyId, { questionId: randomUUID(), dueAt: new Date().toISOString() });
    const notificationId = notificationIdFor(familyId, due.data.questionId, 'complete');
    waits.length = 0;

    await handler.handle(due);

    assert.deepEqual(waits, [2000, 2000], 'two in-process retries, each after Retry-After');
    const pending = await deliveriesOf(handler, notificationId);
    assert.deepEqual(
      pending.map((delivery) => [delivery.token, delivery.status, delivery.attempts]).sort(),
      [
        [fine, 'sent', 1],
        [down, 'pending', 3],
        [gone, 'pending', 3],
      ].sort(),
    );
    const downDelivery = pending.find((delivery) => delivery.token === down);
    assert.equal(downDelivery?.error_code, 'messaging/server-unavailable');
    assert.ok((downDelivery?.next_attempt_at.getTime() ?? 0) >= now + 2000, 'due again no sooner than Retry-After');
    assert.deepEqual(await reported(familyId), []);

    // Before they are due, neither a redelivery nor the sweep sends them.
    await handler.handle(due);
    await handler.sweep();
    assert.deepEqual(sentTo(familyId), [fine]);

    // Then one member leaves and FCM recovers; later the sweep sends what is left, once.
    await handler.handle(testEvent('MemberLeft', familyId, { memberId: members[1]?.memberId ?? '' }));
    fcm.unavailable.clear();
    later(60 * 60_000);
    await handler.sweep();
    await handler.sweep();
    await handler.handle(due);

    assert.deepEqual(sentTo(familyId), [fine, down]);
    const final = await deliveriesOf(handler, notificationId);
    assert.equal(final.find((delivery) => delivery.token === gone)?.error_code, 'haru/recipient-gone');
    assert.deepEqual(await reported(familyId), [[2, 1]]);
  });

  it('when FCM says the quota is exceeded, then the token is not tried again for a minute, in process or by redelivery, then once', async () => {
    const token = testToken();
    const { familyId } = await family(handler, [{ locale: 'ko', tokens: [token] }]);
    fcm.overQuota.add(token);
    const opened = questionOpened(familyId);
    const notificationId = notificationIdFor(familyId, opened.data.questionId, 'question');
    waits.length = 0;
    const claimedAt = now;

    await handler.handle(opened);

    assert.deepEqual(waits, [], 'no in-process wait of a minute');
    const [waiting] = await deliveriesOf(handler, notificationId);
    assert.equal(waiting?.status, 'pending');
    assert.equal(waiting?.error_code, 'messaging/message-rate-exceeded');
    assert.ok((waiting?.next_attempt_at.getTime() ?? 0) >= claimedAt + 60_000, 'due no sooner than a minute later');

    later(59_000);
    await handler.handle(opened);
    await handler.sweep();
    assert.equal(fcm.attempts.get(token), 1, 'not tried again within the minute');

    fcm.overQuota.delete(token);
    later(2_000);
    await handler.sweep();
    await handler.sweep();
    assert.equal(fcm.attempts.get(token), 2);
    assert.deepEqual(sentTo(familyId), [token]);
    const [delivery] = await deliveriesOf(handler, notificationId);
    assert.deepEqual([delivery?.status, delivery?.attempts], ['sent', 2]);
    assert.deepEqual(await reported(familyId), [[1, 0]]);
  });

  it('when FCM never takes a token, then after the last attempt it is failed with FCM’s code and message and the push is reported', async () => {
    const token = testToken();
    const { familyId } = await family(handler, [{ locale: 'en', tokens: [token] }]);
    fcm.unavailable.add(token);
    const due = testEvent('DueAndComplete', familyId, { questionId: randomUUID(), dueAt: new Date().toISOString() });

    await handler.handle(due);
    later(60 * 60_000);
    await handler.sweep();
    later(60 * 60_000);
    await handler.sweep();

    const [delivery] = await deliveriesOf(handler, notificationIdFor(familyId, due.data.questionId, 'complete'));
    assert.deepEqual(
      [delivery?.status, delivery?.attempts, delivery?.error_code, delivery?.error_message],
      ['failed', 5, 'messaging/server-unavailable', 'The service is currently unavailable.'],
    );
    assert.equal(fcm.attempts.get(token), 5);
    assert.deepEqual(await reported(familyId), [[0, 1]]);
    fcm.unavailable.delete(token);
  });

  it('when handling stops after the claim (FCM unreachable; the event may end in the dead-letter queue), then the sweep still sends the claimed pushes', async () => {
    const tokens = [testToken(), testToken()];
    const { familyId } = await family(handler, [{ locale: 'ko', tokens }]);
    const opened = questionOpened(familyId);
    fcm.down = true;
    try {
      await assert.rejects(handler.handle(opened), /ECONNREFUSED/);
    } finally {
      fcm.down = false;
    }
    const claimed = await deliveriesOf(handler, notificationIdFor(familyId, opened.data.questionId, 'question'));
    assert.deepEqual(
      claimed.map((delivery) => [delivery.status, delivery.attempts]),
      [
        ['pending', 0],
        ['pending', 0],
      ],
    );

    await handler.sweep();

    assert.deepEqual(sentTo(familyId).sort(), [...tokens].sort());
    assert.deepEqual(await reported(familyId), [[2, 0]]);
  });
});
