import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createEvent, type EventOf, newEventId } from '@haru/contracts';
import { eventually, metricSample, type QueueReader } from '@haru/testing';
import { startTestScheduler, type TestScheduler } from '../test/support/start-test-scheduler.ts';

// The "everyone answered" push is due as soon as the question completes (outside quiet
// hours). The scheduler here ticks every ten minutes, so a push that went out at once
// was fired by the handler that made it due, not by a tick.
let clock = new Date('2026-06-01T12:00:00+09:00');
const now = () => clock;
let service: TestScheduler['service'];
let test: TestScheduler['test'];
let handle: TestScheduler['handle'];
let publish: TestScheduler['publish'];
let stop: TestScheduler['stop'];
let notifierQueue: QueueReader;

before(async () => {
  ({
    service,
    test,
    handle,
    publish,
    stop,
    queues: { notifier: notifierQueue },
  } = await startTestScheduler({ now, settings: { SCHEDULER_TICK_MS: String(10 * 60_000) } }));
});

after(() => stop?.());

/** A family in Seoul with a question opened at 12:00 (quiet hours 22:00–08:00). */
const familyWithOpenQuestion = () => {
  const familyId = crypto.randomUUID();
  const questionId = crypto.randomUUID();
  const event = <Type extends 'FamilyCreated' | 'QuestionOpened' | 'FamilyQuestionCompleted'>(
    type: Type,
    data: EventOf<Type>['data'],
  ) => {
    const id = newEventId();
    return createEvent(type, familyId, data, { occurredAt: clock, correlationId: id, causationId: null }, id);
  };
  return {
    familyId,
    questionId,
    created: event('FamilyCreated', {
      name: 'Choi',
      timezone: 'Asia/Seoul',
      pushTime: '12:00',
      quietHours: { start: '22:00', end: '08:00' },
      reminderOffsetMinutes: 180,
    }),
    opened: event('QuestionOpened', {
      questionId,
      localDate: '2026-06-01',
      text: { ko: '오늘 어땠어?', en: 'How was today?' },
      openedAt: '2026-06-01T12:00:00+09:00',
      requiredMemberIds: [],
    }),
    completed: (completedAt: string) => event('FamilyQuestionCompleted', { questionId, completedAt }),
  };
};

/** Everything fired so far is published, and read from the notifier's queue. */
const settle = async () => {
  await service.messaging.relay.relayPending();
  await notifierQueue.drain(1);
};
const completePushes = (familyId: string) => notifierQueue.events('DueAndComplete', familyId);
const ledger = (familyId: string) =>
  test.db
    .selectFrom('fired')
    .select(['kind', 'event_id'])
    .where('family_id', '=', familyId)
    .where('kind', '=', 'complete')
    .execute();

describe('the "everyone answered" push', () => {
  it('when the last answer completes the question outside quiet hours, then DueAndComplete goes out without waiting for a tick', async () => {
    clock = new Date('2026-06-01T12:30:00+09:00');
    const family = familyWithOpenQuestion();
    const completed = family.completed('2026-06-01T12:29:59+09:00');
    for (const event of [family.created, family.opened, completed]) await publish(event);

    const [due] = await eventually(
      async () => {
        await notifierQueue.drain();
        const events = notifierQueue.events('DueAndComplete', family.familyId);
        return events.length > 0 && events;
      },
      { message: 'DueAndComplete on the notifier queue, ten minutes before the next tick' },
    );
    assert.deepEqual(due?.data, { questionId: family.questionId, dueAt: '2026-06-01T03:29:59.000Z' });
    assert.equal(due?.causationId, completed.id);
    // Fired by the handler, it is observed like the tick's fires: lateness by kind.
    const metrics = await service.metrics.metrics();
    assert.ok(
      (metricSample(metrics, 'haru_scheduler_fire_lateness_seconds_count', { kind: 'complete' }) ?? 0) >= 1,
      'the handler-fired push is in the lateness histogram',
    );
    const pending = await test.db.selectFrom('pending_push').select('kind').where('family_id', '=', family.familyId);
    assert.deepEqual(await pending.execute(), [{ kind: 'reminder' }], 'only the reminder waits for its time');
    await settle();
    assert.equal(completePushes(family.familyId).length, 1);
  });

  it('when the question completes inside quiet hours, then the handler leaves the push to the tick at their end', async () => {
    clock = new Date('2026-06-01T23:00:00+09:00');
    const family = familyWithOpenQuestion();
    for (const event of [family.created, family.opened, family.completed('2026-06-01T23:00:00+09:00')]) {
      await handle(event);
    }
    await settle();
    assert.deepEqual(completePushes(family.familyId), []);
    const pending = await test.db
      .selectFrom('pending_push')
      .select('due_at')
      .where('family_id', '=', family.familyId)
      .where('kind', '=', 'complete')
      .executeTakeFirst();
    assert.equal(pending?.due_at.toISOString(), '2026-06-01T23:00:00.000Z', '08:00 in Seoul');
  });

  it('when another family’s push waits for quiet hours to end, then a family’s own events never schedule it as theirs', async () => {
    clock = new Date('2026-06-02T23:30:00+09:00');
    const waiting = familyWithOpenQuestion();
    for (const event of [waiting.created, waiting.opened, waiting.completed('2026-06-02T23:30:00+09:00')]) {
      await handle(event);
    }
    const other = familyWithOpenQuestion();
    for (const event of [other.created, other.opened, other.completed('2026-06-02T23:31:00+09:00')]) {
      await handle(event);
    }
    const questionsPending = (familyId: string) =>
      test.db.selectFrom('pending_push').select('question_id').where('family_id', '=', familyId).distinct().execute();
    assert.deepEqual(await questionsPending(other.familyId), [{ question_id: other.questionId }]);
    assert.deepEqual(await questionsPending(waiting.familyId), [{ question_id: waiting.questionId }]);
  });

  it('when ticks and a handler fire the same due push at once, then it is announced exactly once', async () => {
    // Completion reported before it happened on the scheduler's clock: the push waits in the due-index.
    clock = new Date('2026-06-02T12:00:00+09:00');
    const families = Array.from({ length: 30 }, familyWithOpenQuestion);
    for (const family of families) {
      for (const event of [family.created, family.opened, family.completed('2026-06-02T12:05:00+09:00')]) {
        await handle(event);
      }
    }
    clock = new Date('2026-06-02T12:05:00.100+09:00');
    // The projection reports each completion again just as two ticks claim the due pushes.
    await Promise.all([
      service.dueTick.tickOnce(),
      ...families.map((family) => handle(family.completed('2026-06-02T12:05:00+09:00'))),
      service.dueTick.tickOnce(),
    ]);

    await settle();
    for (const family of families) {
      assert.equal(completePushes(family.familyId).length, 1, `one DueAndComplete for ${family.familyId}`);
      const fired = await ledger(family.familyId);
      assert.equal(fired.length, 1);
      assert.notEqual(fired[0]?.event_id, null);
    }
  });
});
