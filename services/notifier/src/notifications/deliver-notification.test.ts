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

  it('when a token is flaky, then it receives exactly one push after the retry', async () => {
    const flaky = testToken('flaky');
    const { familyId } = await family(handler, [{ locale: 'en', tokens: [flaky] }]);
    const opened = questionOpened(familyId);
    await handler.handle(opened);

    assert.equal((await rejectionsOf(flaky)).length, 1);
    assert.equal((await messagesTo(flaky)).length, 1);
    const [delivery] = await deliveriesOf(handler, notificationIdFor(familyId, opened.data.questionId, 'question'));
    assert.equal(delivery?.status, 'sent');
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
 * FCM as a stub: tokens in `unavailable` are refused as overloaded, with Retry-After: 2;
 * while `held` is set, sends wait for it.
 */
function stubSender() {
  const unavailable = new Set<string>();
  const sent: PushMessage[] = [];
  const stub = {
    unavailable,
    sent,
    inFlight: 0,
    held: undefined as Promise<void> | undefined,
    sender: {} as PushSender,
  };
  stub.sender = {
    async sendEach(messages) {
      stub.inFlight += 1;
      await stub.held;
      stub.inFlight -= 1;
      const responses: SendResult[] = messages.map((message) => {
        if (!unavailable.has(message.token)) {
          sent.push(message);
          return { success: true };
        }
        return {
          success: false,
          error: {
            code: 'messaging/server-unavailable',
            message: 'The service is currently unavailable.',
            httpResponse: { status: 503, headers: { 'retry-after': '2' } },
          },
        };
      });
      return { responses };
    },
  };
  return stub;
}

describe('when FCM is slow or unavailable', () => {
  const fcm = stubSender();
  const waits: number[] = [];
  let handler: TestHandler;
  before(async () => {
    handler = await createTestHandler({
      sender: fcm.sender,
      maxAttempts: 3,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
  });
  after(() => handler?.close());

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

    const sentTo = fcm.sent.filter((message) => message.data.familyId === familyId).map((message) => message.token);
    assert.deepEqual(sentTo.sort(), [...tokens].sort());
  });

  it('when FCM stays unavailable for some tokens, then they stay pending and the event is retried, and the retry sends only them, once', async () => {
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

    await assert.rejects(handler.handle(due), /still pending/);

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
    assert.equal(pending.find((delivery) => delivery.token === down)?.error_code, 'messaging/server-unavailable');
    const reportedEarly = (await handler.emitted('NotificationSent')).filter((event) => event.familyId === familyId);
    assert.deepEqual(reportedEarly, []);

    // Before the redelivery, one member leaves and FCM recovers.
    await handler.handle(testEvent('MemberLeft', familyId, { memberId: members[1]?.memberId ?? '' }));
    fcm.unavailable.clear();
    await handler.handle(due);

    const tokensSent = fcm.sent.filter((message) => message.data.familyId === familyId).map((message) => message.token);
    assert.deepEqual(tokensSent, [fine, down]);
    const final = await deliveriesOf(handler, notificationId);
    assert.equal(final.find((delivery) => delivery.token === gone)?.error_code, 'haru/recipient-gone');
    const reported = (await handler.emitted('NotificationSent')).filter((event) => event.familyId === familyId);
    assert.deepEqual(
      reported.map((event) => [event.data.delivered, event.data.failed]),
      [[2, 1]],
    );
  });
});
