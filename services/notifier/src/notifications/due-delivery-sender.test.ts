import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { notificationIdFor } from '@haru/contracts';
import { eventually, fcmMessages, fcmRejections } from '@haru/testing';
import { createTestHandler, type TestHandler } from '../../test/support/create-test-handler.ts';
import { questionOpened, questionText, testEvent, testToken } from '../../test/support/test-events.ts';
import type { PushMessage } from '../push/push-message.ts';
import type { PushSender, SendResult } from '../push/push-sender.ts';
import type { Locale } from '../recipients/recipient.table.ts';

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
    await handler.send();

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
          webpush: { notification: { tag: notificationId } },
        },
      ]);
    }
  });

  it('when the same QuestionOpened is delivered again, at once or later, then each device still has one push', async () => {
    const tokens = [testToken(), testToken()];
    const { familyId } = await family(handler, [{ locale: 'en', tokens }]);
    const opened = questionOpened(familyId);

    await Promise.all([handler.handle(opened), handler.handle(opened)]);
    await Promise.all([handler.send(), handler.send()]);
    await handler.handle(opened);
    await handler.send();

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
      await handler.send();

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
      await handler.send();

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
    await handler.send();
    await handler.handle({ ...due, id: randomUUID() });
    await handler.send();

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
    await handler.send();

    // firebase-admin itself retried the 503 after its Retry-After: one refusal, one push.
    assert.deepEqual(
      (await rejectionsOf(flaky)).map((rejected) => [rejected.status, rejected.errorCode]),
      [[503, 'UNAVAILABLE']],
    );
    assert.equal((await messagesTo(flaky)).length, 1);
    const [delivery] = await deliveriesOf(handler, notificationIdFor(familyId, opened.data.questionId, 'question'));
    assert.equal(delivery?.status, 'sent');

    await handler.handle(opened);
    await handler.send();
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
    await handler.send();

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
    await handler.send();

    const reminders = async (token: string) =>
      (await messagesTo(token)).filter((message) => (message.data as { kind: string }).kind === 'reminder');
    assert.deepEqual(
      (await reminders(listed)).map((message) => (message.notification as { body: string }).body),
      [questionText.ko],
    );
    assert.equal((await reminders(other)).length, 0);
  });
});

describe('pushes prepared ahead of their instant', () => {
  // The notifier's clock, moved by the tests instead of waiting for the instant.
  let now = Date.parse('2026-12-03T08:55:00Z');
  const instant = new Date('2026-12-03T09:00:00Z');
  let handler: TestHandler;
  before(async () => {
    // Small claims, so that replicas sending the same burst share it.
    handler = await createTestHandler({ clock: () => new Date(now), batchSize: 10 });
  });
  after(() => handler?.close());

  it('when a question is prepared ahead, then nothing is sent before its instant, and at it the push reflects who is in the family then', async () => {
    const stays = testToken();
    const removed = testToken();
    const { familyId, members } = await family(handler, [{ locale: 'en', tokens: [stays, removed] }]);
    const opened = testEvent('QuestionOpened', familyId, {
      questionId: randomUUID(),
      localDate: '2026-12-03',
      text: questionText,
      openedAt: instant.toISOString(),
      requiredMemberIds: [members[0]?.memberId ?? ''],
    });
    await handler.handle(opened);
    assert.equal(await handler.send(), 0, 'nothing is due five minutes ahead');

    // Within the lead: a member joins (with a device), another device is registered, one is removed.
    now += 60_000;
    const joiner = { memberId: randomUUID(), uid: `uid-${randomUUID()}` };
    const joinerToken = testToken();
    await handler.registerDevice(joiner.uid, joinerToken);
    await handler.handle(
      testEvent('MemberJoined', familyId, { ...joiner, role: 'child', displayName: 'new', locale: 'ko' }),
    );
    const secondPhone = testToken();
    await handler.registerDevice(members[0]?.uid ?? '', secondPhone);
    await handler.database.db.updateTable('devices').set({ active: false }).where('token', '=', removed).execute();
    assert.equal(await handler.send(), 0, 'still nothing due');
    for (const token of [stays, removed, joinerToken, secondPhone]) {
      assert.equal((await messagesTo(token)).length, 0, `nothing reached ${token} before the instant`);
    }

    now = instant.getTime();
    await handler.send();
    for (const token of [stays, joinerToken, secondPhone]) assert.equal((await messagesTo(token)).length, 1, token);
    assert.equal((await messagesTo(removed)).length, 0, 'a device removed within the lead gets nothing');
    assert.deepEqual(
      (await messagesTo(joinerToken)).map((message) => (message.notification as { title: string }).title),
      ['오늘의 질문'],
      'in the joiner’s language',
    );
    const notificationId = notificationIdFor(familyId, opened.data.questionId, 'question');
    const [notification] = await handler.database.db
      .selectFrom('notifications')
      .select(['due_at', 'reported_at'])
      .where('notification_id', '=', notificationId)
      .execute();
    assert.equal(notification?.due_at.toISOString(), instant.toISOString());
    assert.ok(notification?.reported_at, 'reported once nothing is left to send');
  });

  it('when a prepared question is rescheduled before its instant, then its push goes at the new instant, whichever report arrives first', async () => {
    const later = new Date(instant.getTime() + 2 * 3600_000);
    for (const reschedulingFirst of [false, true]) {
      now = Date.parse('2026-12-03T08:56:00Z');
      const token = testToken();
      const { familyId } = await family(handler, [{ locale: 'en', tokens: [token] }]);
      const data = {
        questionId: randomUUID(),
        localDate: '2026-12-03',
        text: questionText,
        requiredMemberIds: [],
      };
      const opened = {
        ...testEvent('QuestionOpened', familyId, { ...data, openedAt: instant.toISOString() }),
        occurredAt: '2026-12-03T08:55:00.000Z',
      };
      const rescheduled = {
        ...testEvent('QuestionRescheduled', familyId, { ...data, openedAt: later.toISOString() }),
        occurredAt: '2026-12-03T08:57:00.000Z',
      };
      for (const event of reschedulingFirst ? [rescheduled, opened] : [opened, rescheduled])
        await handler.handle(event);

      now = instant.getTime();
      await handler.send();
      assert.equal((await messagesTo(token)).length, 0, 'nothing at the old instant');
      now = later.getTime();
      await handler.send();
      assert.equal((await messagesTo(token)).length, 1, 'one push at the new instant');
    }
  });

  it('when two replicas send the same burst at once, then every device gets its push exactly once', async () => {
    const burstAt = new Date(now + 60_000);
    const tokens: string[] = [];
    for (let index = 0; index < 120; index++) {
      const token = testToken();
      tokens.push(token);
      const { familyId } = await family(handler, [{ locale: 'en', tokens: [token] }]);
      await handler.handle(
        testEvent('QuestionOpened', familyId, {
          questionId: randomUUID(),
          localDate: '2026-12-03',
          text: questionText,
          openedAt: burstAt.toISOString(),
          requiredMemberIds: [],
        }),
      );
    }
    const replica = await handler.startReplica();
    try {
      now = burstAt.getTime();
      const settled = await Promise.all([handler.send(), replica.send(), handler.send(), replica.send()]);
      assert.equal(
        settled.reduce((sum, count) => sum + count, 0),
        tokens.length,
        'each delivery settled by one replica',
      );
    } finally {
      await replica.stop();
    }
    const received = new Set((await fcmMessages()).map((message) => message.message.token));
    const counts = await Promise.all(tokens.map(async (token) => (await messagesTo(token)).length));
    assert.deepEqual(
      counts,
      tokens.map(() => 1),
    );
    assert.ok(tokens.every((token) => received.has(token)));
    // Each worker records a batch while it sends the next: by the time a send resolves, every
    // batch it sent is recorded, its last one too, and the pushes it finished are reported.
    const recorded = await handler.database.db
      .selectFrom('deliveries')
      .innerJoin('notifications', 'notifications.notification_id', 'deliveries.notification_id')
      .select(['deliveries.status', 'notifications.reported_at'])
      .where('deliveries.token', 'in', tokens)
      .execute();
    assert.deepEqual(
      recorded.map((delivery) => [delivery.status, delivery.reported_at !== null]),
      tokens.map(() => ['sent', true]),
    );
  });

  it('when a reminder is prepared ahead, then a member who answers before its instant is not sent it, whichever arrives first', async () => {
    const [answersLater, answeredFirst, awaited] = [testToken(), testToken(), testToken()];
    const { familyId, members } = await family(handler, [
      { locale: 'en', tokens: [answersLater] },
      { locale: 'en', tokens: [answeredFirst] },
      { locale: 'en', tokens: [awaited] },
    ]);
    const memberIds = members.map((member) => member.memberId);
    const opened = questionOpened(familyId);
    await handler.handle(opened);
    const answered = (memberId: string) =>
      testEvent('AnswerSubmitted', familyId, {
        questionId: opened.data.questionId,
        memberId,
        answeredAt: new Date(now).toISOString(),
      });
    const reminderAt = new Date(now + 4 * 60_000);
    // The scheduler asked the projection before either answer had reached it.
    const reminder = testEvent('ReminderDue', familyId, {
      questionId: opened.data.questionId,
      memberIds,
      dueAt: reminderAt.toISOString(),
    });
    await handler.handle(answered(memberIds[1] ?? ''));
    await handler.handle(reminder);
    now += 60_000;
    await handler.handle(answered(memberIds[0] ?? ''));
    await handler.handle(answered(memberIds[0] ?? '')); // redelivered: nothing more

    now = reminderAt.getTime();
    await handler.send();
    const reminders = async (token: string) =>
      (await messagesTo(token)).filter((message) => (message.data as { kind: string }).kind === 'reminder');
    assert.equal((await reminders(awaited)).length, 1, 'the member still awaited is reminded');
    assert.equal((await reminders(answersLater)).length, 0, 'an answer after the reminder was prepared');
    assert.equal((await reminders(answeredFirst)).length, 0, 'an answer heard before the reminder');
    const deliveries = await deliveriesOf(handler, notificationIdFor(familyId, opened.data.questionId, 'reminder'));
    assert.deepEqual(
      deliveries.map((delivery) => [delivery.token, delivery.status, delivery.error_code]).sort(),
      [
        [awaited, 'sent', null],
        [answersLater, 'failed', 'haru/answered'],
        [answeredFirst, 'failed', 'haru/answered'],
      ].sort(),
    );
  });
});

describe('claiming ahead of the instant', () => {
  it('when deliveries are claimed within the head start, then they are sent at their instant, never before', async () => {
    const handler = await createTestHandler({ headStartMs: 5_000 });
    try {
      const token = testToken();
      const { familyId } = await family(handler, [{ locale: 'en', tokens: [token] }]);
      const instant = new Date(Date.now() + 1_500);
      await handler.handle(
        testEvent('QuestionOpened', familyId, { ...questionOpened(familyId).data, openedAt: instant.toISOString() }),
      );
      // Sent by this send or by the sender's own loop, which wakes itself for what falls due
      // within its head start: either way once, and not before the instant.
      await handler.send();
      const sent = await eventually(async () => {
        const toToken = (await fcmMessages()).filter((message) => message.message.token === token);
        return toToken.length > 0 && toToken;
      });
      assert.equal(sent.length, 1, 'sent once');
      const [received] = sent;
      assert.ok(received);
      assert.ok(
        Date.parse(received.receivedAt) >= instant.getTime(),
        `received ${received.receivedAt}, due ${instant.toISOString()}`,
      );
    } finally {
      await handler.close();
    }
  });

  it('when a burst is claimed ahead, then each worker holds its batches ahead until the instant, and claims the rest as it sends', async () => {
    // Two workers, batches of 10, 60 deliveries due at one instant within the head start.
    for (const batchesAhead of [1, 2]) {
      const handler = await createTestHandler({ headStartMs: 10_000, batchSize: 10, concurrency: 2, batchesAhead });
      try {
        const tokens: string[] = [];
        const families: string[] = [];
        for (let index = 0; index < 6; index++) {
          const batch = Array.from({ length: 10 }, () => testToken());
          tokens.push(...batch);
          families.push((await family(handler, [{ locale: 'en', tokens: batch }])).familyId);
        }
        const instant = new Date(Date.now() + 2_000);
        for (const familyId of families) {
          await handler.handle(
            testEvent('QuestionOpened', familyId, {
              ...questionOpened(familyId).data,
              openedAt: instant.toISOString(),
            }),
          );
        }
        const leased = async () => {
          const { count } = await handler.database.db
            .selectFrom('deliveries')
            .select((eb) => eb.fn.countAll<string>().as('count'))
            .where('token', 'in', tokens)
            .where('leased_until', 'is not', null)
            .executeTakeFirstOrThrow();
          return Number(count);
        };
        const sending = handler.send();
        // Every count read before the instant: the workers' batches ahead, never more.
        const before: number[] = [];
        while (Date.now() < instant.getTime() - 200) before.push(await leased());
        assert.equal(await sending, tokens.length, 'all sent once due');
        assert.equal(
          Math.max(...before),
          2 * batchesAhead * 10,
          `${batchesAhead} ahead: leased before the instant ${[...new Set(before)].join(', ')}`,
        );
        const received = (await fcmMessages()).filter((message) => tokens.includes(message.message.token ?? ''));
        assert.equal(received.length, tokens.length);
        assert.ok(received.every((message) => Date.parse(message.receivedAt) >= instant.getTime()));
      } finally {
        await handler.close();
      }
    }
  });
});

describe("a round's claims", () => {
  it('when a delivery falls due before the last one the round claimed, then the same round sends it', async () => {
    // Batches of one: the round claims a first delivery, then goes on from its due key.
    const fcm = stubSender();
    let whileSending: (() => Promise<unknown>) | undefined;
    const sender: PushSender = {
      async sendEach(messages) {
        const step = whileSending;
        whileSending = undefined;
        await step?.();
        return fcm.sender.sendEach(messages);
      },
    };
    const handler = await createTestHandler({ sender, concurrency: 1, batchSize: 1 });
    try {
      const tokens = [testToken(), testToken()];
      const { familyId } = await family(handler, [{ locale: 'en', tokens }]);
      const given = testToken();
      const other = await family(handler, [{ locale: 'en', tokens: [given] }]);
      const instant = new Date(Date.now() - 1_000);
      for (const id of [familyId, other.familyId]) {
        await handler.handle(
          testEvent('QuestionOpened', id, { ...questionOpened(id).data, openedAt: instant.toISOString() }),
        );
      }
      const deliveryTo = handler.database.db.updateTable('deliveries').where('token', '=', given);
      // Held by another sender until, while the first push is sent, it gives it back, due a
      // second before every delivery this round has claimed.
      await deliveryTo.set({ leased_until: new Date(Date.now() + 3_600_000) }).execute();
      whileSending = () =>
        deliveryTo.set({ leased_until: null, next_attempt_at: new Date(instant.getTime() - 1_000) }).execute();

      assert.equal(await handler.send(), 3, 'settled in one round');
      assert.deepEqual(
        fcm.sent.map((message) => message.token).sort(),
        [...tokens, given].sort(),
        'each sent once, the one given back too',
      );
    } finally {
      await handler.close();
    }
  });
});

describe('the FCM send budget', () => {
  it('when two replicas send more than the budget allows in a second, then together they keep to its rate', async () => {
    // 1,200 a minute: 20 a second, at most 20 at once. 100 pushes then take at least 4 s,
    // whichever replicas send them (two budgets of their own would take 1.5 s).
    const perMinute = 1200;
    const handler = await createTestHandler({ budgetPerMinute: perMinute, batchSize: 10 });
    const replica = await handler.startReplica();
    try {
      const tokens: string[] = [];
      for (let index = 0; index < 10; index++) {
        const batch = Array.from({ length: 10 }, () => testToken());
        tokens.push(...batch);
        const { familyId } = await family(handler, [{ locale: 'en', tokens: batch }]);
        await handler.handle(questionOpened(familyId));
      }
      await Promise.all([handler.send(), replica.send()]);
      const received = (await fcmMessages())
        .filter((message) => tokens.includes(message.message.token ?? ''))
        .map((message) => Date.parse(message.receivedAt));
      assert.equal(received.length, tokens.length, 'every push went out, smoothed rather than refused');
      const spanSeconds = (Math.max(...received) - Math.min(...received)) / 1000;
      assert.ok(spanSeconds >= 3.5, `100 pushes at 20 a second took ${spanSeconds} s`);
    } finally {
      await replica.stop();
      await handler.close();
    }
  });
});

/**
 * FCM as a stub: tokens in `unavailable` are refused as overloaded (Retry-After: 2), those
 * in `overQuota` as over quota (429, no Retry-After); while `down` is set every call fails
 * as a whole (`failsWhileDown`). `attempts` counts sends per token.
 */
function stubSender() {
  const stub = {
    unavailable: new Set<string>(),
    overQuota: new Set<string>(),
    down: false,
    sent: [] as PushMessage[],
    attempts: new Map<string, number>(),
    sender: {} as PushSender,
    /** Runs `send` with FCM unreachable as a whole, which it must fail with; FCM is back after. */
    async failsWhileDown(send: () => Promise<unknown>) {
      stub.down = true;
      try {
        await assert.rejects(send(), /ECONNREFUSED/);
      } finally {
        stub.down = false;
      }
    },
  };
  const refusal = (code: string, message: string, status: number, headers: Record<string, string>): SendResult => ({
    success: false,
    error: { code, message, httpResponse: { status, headers } },
  });
  stub.sender = {
    async sendEach(messages) {
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

describe('when FCM is unavailable, over quota or unreachable', () => {
  const fcm = stubSender();
  // The notifier's clock, moved by the tests instead of waiting.
  let now = Date.now();
  const later = (ms: number) => {
    now += ms;
  };
  let handler: TestHandler;
  before(async () => {
    handler = await createTestHandler({ sender: fcm.sender, clock: () => new Date(now), maxAttempts: 5 });
  });
  after(() => handler?.close());

  const sentTo = (familyId: string) =>
    fcm.sent.filter((message) => message.data.familyId === familyId).map((message) => message.token);
  const reported = async (familyId: string) =>
    (await handler.emitted('NotificationSent'))
      .filter((event) => event.familyId === familyId)
      .map((event) => [event.data.delivered, event.data.failed]);
  const dueNow = () => new Date(now).toISOString();

  it('when FCM stays unavailable for some tokens, then they wait pending until Retry-After and are sent once, when due again', async () => {
    const fine = testToken();
    const down = testToken();
    const gone = testToken();
    const { familyId, members } = await family(handler, [
      { locale: 'en', tokens: [fine, down] },
      { locale: 'en', tokens: [gone] },
    ]);
    fcm.unavailable.add(down).add(gone);
    const due = testEvent('DueAndComplete', familyId, { questionId: randomUUID(), dueAt: dueNow() });
    const notificationId = notificationIdFor(familyId, due.data.questionId, 'complete');

    await handler.handle(due);
    await handler.send();

    const pending = await deliveriesOf(handler, notificationId);
    assert.deepEqual(
      pending.map((delivery) => [delivery.token, delivery.status, delivery.attempts]).sort(),
      [
        [fine, 'sent', 1],
        [down, 'pending', 1],
        [gone, 'pending', 1],
      ].sort(),
    );
    const downDelivery = pending.find((delivery) => delivery.token === down);
    assert.equal(downDelivery?.error_code, 'messaging/server-unavailable');
    assert.ok((downDelivery?.next_attempt_at.getTime() ?? 0) >= now + 2000, 'due again no sooner than Retry-After');
    assert.deepEqual(await reported(familyId), []);

    // Before they are due, neither a redelivery nor the sender sends them.
    await handler.handle(due);
    await handler.send();
    assert.deepEqual(sentTo(familyId), [fine]);

    // Then one member leaves and FCM recovers; later the sender sends what is left, once.
    await handler.handle(testEvent('MemberLeft', familyId, { memberId: members[1]?.memberId ?? '' }));
    fcm.unavailable.clear();
    later(60 * 60_000);
    await Promise.all([handler.send(), handler.send()]);
    await handler.handle(due);
    await handler.send();

    assert.deepEqual(sentTo(familyId), [fine, down]);
    const final = await deliveriesOf(handler, notificationId);
    assert.equal(final.find((delivery) => delivery.token === gone)?.error_code, 'haru/recipient-gone');
    assert.deepEqual(await reported(familyId), [[2, 1]]);
  });

  it('when FCM says the quota is exceeded, then the token is not tried again for a minute, then once', async () => {
    const token = testToken();
    const { familyId } = await family(handler, [{ locale: 'ko', tokens: [token] }]);
    fcm.overQuota.add(token);
    const opened = testEvent('QuestionOpened', familyId, { ...questionOpened(familyId).data, openedAt: dueNow() });
    const notificationId = notificationIdFor(familyId, opened.data.questionId, 'question');
    const sentAt = now;

    await handler.handle(opened);
    await handler.send();

    const [waiting] = await deliveriesOf(handler, notificationId);
    assert.equal(waiting?.status, 'pending');
    assert.equal(waiting?.error_code, 'messaging/message-rate-exceeded');
    assert.ok((waiting?.next_attempt_at.getTime() ?? 0) >= sentAt + 60_000, 'due no sooner than a minute later');

    later(59_000);
    await handler.handle(opened);
    await handler.send();
    assert.equal(fcm.attempts.get(token), 1, 'not tried again within the minute');

    fcm.overQuota.delete(token);
    later(2_000);
    await handler.send();
    await handler.send();
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
    const due = testEvent('DueAndComplete', familyId, { questionId: randomUUID(), dueAt: dueNow() });

    await handler.handle(due);
    for (let round = 0; round < 6; round++) {
      await handler.send();
      later(60 * 60_000);
    }

    const [delivery] = await deliveriesOf(handler, notificationIdFor(familyId, due.data.questionId, 'complete'));
    assert.deepEqual(
      [delivery?.status, delivery?.attempts, delivery?.error_code, delivery?.error_message],
      ['failed', 5, 'messaging/server-unavailable', 'The service is currently unavailable.'],
    );
    assert.equal(fcm.attempts.get(token), 5);
    assert.deepEqual(await reported(familyId), [[0, 1]]);
    fcm.unavailable.delete(token);
  });

  it('when FCM is unreachable as a whole, then the claimed deliveries stay pending and are sent once the lease runs out', async () => {
    const tokens = [testToken(), testToken()];
    const { familyId } = await family(handler, [{ locale: 'ko', tokens }]);
    const opened = testEvent('QuestionOpened', familyId, { ...questionOpened(familyId).data, openedAt: dueNow() });
    await handler.handle(opened);
    await fcm.failsWhileDown(() => handler.send());
    const claimed = await deliveriesOf(handler, notificationIdFor(familyId, opened.data.questionId, 'question'));
    assert.deepEqual(
      claimed.map((delivery) => [delivery.status, delivery.attempts]),
      [
        ['pending', 0],
        ['pending', 0],
      ],
    );
    await handler.send();
    assert.deepEqual(sentTo(familyId), [], 'not before the lease runs out');

    later(61_000);
    await handler.send();
    assert.deepEqual(sentTo(familyId).sort(), [...tokens].sort());
    assert.deepEqual(await reported(familyId), [[2, 0]]);
  });

  it('when a send fails before the instant, then every batch its worker had claimed ahead is given back at once', async () => {
    const ahead = await createTestHandler({
      sender: fcm.sender,
      clock: () => new Date(now),
      concurrency: 1,
      batchSize: 1,
      headStartMs: 60_000,
      batchesAhead: 3,
    });
    try {
      const tokens = [testToken(), testToken(), testToken()];
      const { familyId } = await family(ahead, [{ locale: 'ko', tokens }]);
      // Due 50 ms from the test's clock, which stands still: each batch waits 50 ms, no more.
      const instant = new Date(now + 50).toISOString();
      await ahead.handle(
        testEvent('QuestionOpened', familyId, { ...questionOpened(familyId).data, openedAt: instant }),
      );
      await fcm.failsWhileDown(() => ahead.send());
      // The first was being sent (leased for a minute); the two claimed behind it are due again now.
      await ahead.send();
      assert.equal(sentTo(familyId).length, 2, 'the two claimed ahead are sent at once');
      later(61_000);
      await ahead.send();
      assert.deepEqual(sentTo(familyId).sort(), [...tokens].sort());
    } finally {
      await ahead.close();
    }
  });

  it('when a send fails, then the batch its worker had claimed ahead is given back at once, not left to its lease', async () => {
    const oneAtATime = await createTestHandler({
      sender: fcm.sender,
      clock: () => new Date(now),
      concurrency: 1,
      batchSize: 1,
    });
    try {
      const tokens = [testToken(), testToken()];
      const { familyId } = await family(oneAtATime, [{ locale: 'ko', tokens }]);
      await oneAtATime.handle(
        testEvent('QuestionOpened', familyId, { ...questionOpened(familyId).data, openedAt: dueNow() }),
      );
      await fcm.failsWhileDown(() => oneAtATime.send());
      // One was being sent (leased for a minute); the other, claimed ahead, is due again now.
      await oneAtATime.send();
      assert.equal(sentTo(familyId).length, 1, 'the one claimed ahead is sent at once');
      await oneAtATime.send();
      assert.equal(sentTo(familyId).length, 1, 'the one being sent waits for its lease');
      later(61_000);
      await oneAtATime.send();
      assert.deepEqual(sentTo(familyId).sort(), [...tokens].sort());
    } finally {
      await oneAtATime.close();
    }
  });
});
