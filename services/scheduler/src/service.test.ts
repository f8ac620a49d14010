import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { createEvent, type EventOf, newEventId, type PushKind } from '@haru/contracts';
import { createDatabase } from '@haru/db';
import { serviceClient } from '@haru/http';
import { createLogger, createMetrics } from '@haru/observability';
import { eventually, isQueueIdle, metricSample, type QueueReader } from '@haru/testing';
import { startTestScheduler, type TestScheduler } from '../test/support/start-test-scheduler.ts';
import { type SchedulerDatabase, schema } from './database.ts';
import { startDueTick } from './due-tick/due-tick.ts';
import { type AwaitedMembers, projectionAwaitedMembers, questionKey } from './question-pushes/awaited-members.ts';

// The whole scheduler in-process against real PostgreSQL and SNS/SQS (fauxqs), with a
// clock the tests move: a push time "comes" when the test says so, not a minute later.
// The projection runs beside it on the same topology, as its own process: a due reminder
// asks it whom the question still awaits.
const batchSize = 25;
let clock = new Date('2026-05-31T00:00:00Z');
const now = () => clock;
const setClock = (iso: string) => {
  const next = new Date(iso);
  assert.ok(next >= clock, 'the test clock only moves forward');
  clock = next;
};

let internalApiToken: string;
let test: TestScheduler['test'];
let environment: TestScheduler['environment'];
let service: TestScheduler['service'];
let handle: TestScheduler['handle'];
let publish: TestScheduler['publish'];
let stop: TestScheduler['stop'];
let answerQueue: QueueReader;
let notifierQueue: QueueReader;
let awaitedMembers: AwaitedMembers;

before(async () => {
  let config: TestScheduler['config'];
  ({
    environment,
    config,
    service,
    test,
    handle,
    publish,
    stop,
    queues: { answer: answerQueue, notifier: notifierQueue },
  } = await startTestScheduler({
    now,
    settings: { SCHEDULER_TICK_MS: '20', SCHEDULER_TICK_BATCH_SIZE: String(batchSize) },
    alongside: ['projection'],
  }));
  internalApiToken = environment.internalApiToken;
  awaitedMembers = projectionAwaitedMembers(serviceClient(config.PROJECTION_URL, internalApiToken));
});

after(() => stop?.());

const context = () => {
  const id = newEventId();
  return { id, context: { occurredAt: clock, correlationId: id, causationId: null } };
};
const familyCreated = (
  timezone: string,
  pushTime: string,
  quietHours: EventOf<'FamilyCreated'>['data']['quietHours'],
) => {
  const { id, context: ctx } = context();
  return createEvent(
    'FamilyCreated',
    crypto.randomUUID(),
    { name: 'Kim', timezone, pushTime, quietHours, reminderOffsetMinutes: 180 },
    ctx,
    id,
  );
};
/** The family's first QuestionDue on the answer queue, once it is there. */
const questionDueOf = async (familyId: string) =>
  (
    await eventually(
      async () => {
        await answerQueue.drain();
        const events = answerQueue.events('QuestionDue', familyId);
        return events.length > 0 && events;
      },
      { message: 'QuestionDue on the answer queue' },
    )
  )[0];
const schedulerQueueIdle = () => isQueueIdle(environment.clients.sqs, environment.topology.queues.scheduler.queueUrl);
/**
 * A crowded minute's `kind` pushes announced by two replicas of the due tick beside the
 * service, on a pool of their own, whose services prepare one family a second:
 * `slowPreparing` may announce a crowd up to an hour ahead, `leadOnly` (its maximum lead is
 * the lead) never before the lead. Nothing at `quietAt`; at `announcedAt` nothing from
 * `leadOnly`, then all from `slowPreparing`. (The service's own tick, at its default rate,
 * would leave a test's crowd to the lead.)
 */
async function crowdAnnounced({
  familyIds,
  kind,
  quietAt,
  announcedAt,
}: {
  familyIds: readonly string[];
  kind: PushKind;
  /** A minute at which the time beyond the lead still suffices: nothing is announced. */
  quietAt: string;
  /** The next minute, when it no longer does: every one is announced at once. */
  announcedAt: string;
}): Promise<void> {
  const replica = createDatabase<SchedulerDatabase>({ url: test.url, schema, poolSize: 2 });
  const replicaTick = (maxLeadMs: number) =>
    startDueTick({
      db: replica.db,
      logger: createLogger('scheduler', 'silent'),
      metrics: createMetrics('scheduler'),
      now,
      intervalMs: 60_000,
      batchSize,
      catchUpWindowMinutes: 180,
      leadMs: 300_000,
      maxLeadMs,
      prepareRate: 1,
      awaitedMembers,
    });
  const slowPreparing = replicaTick(3_600_000);
  const leadOnly = replicaTick(300_000);
  const announced = async () => {
    let count = 0;
    for (const familyId of familyIds) count += await firedCount(familyId, kind);
    return count;
  };
  try {
    setClock(quietAt);
    await slowPreparing.tickOnce();
    assert.equal(await announced(), 0, 'not announced while the time beyond the lead suffices');

    setClock(announcedAt);
    await leadOnly.tickOnce();
    assert.equal(await announced(), 0, 'a maximum lead at the lead announces nothing before it');
    await slowPreparing.tickOnce();
    assert.equal(await announced(), familyIds.length, `every ${kind} of the crowded minute announced at once`);
  } finally {
    await Promise.all([slowPreparing.stop(), leadOnly.stop()]);
    await replica.close();
  }
}

const firedCount = async (familyId: string, kind: PushKind) => {
  const rows = await test.db
    .selectFrom('fired')
    .select('subject')
    .where('family_id', '=', familyId)
    .where('kind', '=', kind)
    .execute();
  return rows.length;
};
/** Everything the service has fired is published and every message on its way is read. */
const settle = async (queue: QueueReader) => {
  await service.messaging.relay.relayPending();
  await queue.drain(1);
};
const getSchedule = async (familyId: string) => {
  const response = await fetch(`${service.url}/internal/families/${familyId}/schedule`, {
    headers: { 'x-haru-service-token': internalApiToken },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe('the daily question', () => {
  it('when FamilyCreated arrives over SNS and the push time comes, then exactly one QuestionDue reaches the answer service, even if FamilyCreated is redelivered', async () => {
    setClock('2026-06-01T08:00:00+09:00');
    const created = familyCreated('Asia/Seoul', '09:00', null);
    await publish(created);
    await eventually(async () => (await getSchedule(created.familyId)).status === 200, { message: 'schedule created' });

    setClock('2026-06-01T09:00:00.200+09:00');
    const due = await questionDueOf(created.familyId);
    assert.deepEqual(due?.data, { localDate: '2026-06-01', dueAt: '2026-06-01T00:00:00.000Z' });
    assert.equal(due?.correlationId, due?.id, 'a tick starts its own causal chain');
    assert.equal(due?.causationId, null);
    // Fired at 09:00:00.200 (the test clock stands still), due at 09:00: 0.2 s late.
    const metrics = await service.metrics.metrics();
    const question = { kind: 'question' };
    assert.equal(metricSample(metrics, 'haru_scheduler_fire_lateness_seconds_count', question), 1);
    assert.equal(metricSample(metrics, 'haru_scheduler_fire_lateness_seconds_sum', question), 0.2);
    assert.equal(metricSample(metrics, 'haru_scheduler_fire_lateness_seconds_bucket', { ...question, le: '0.1' }), 0);
    assert.equal(metricSample(metrics, 'haru_scheduler_fire_lateness_seconds_bucket', { ...question, le: '0.25' }), 1);

    await publish(created);
    await handle(created);
    await eventually(schedulerQueueIdle, { message: 'the redelivery was consumed' });
    setClock('2026-06-01T09:05:00+09:00');
    await service.dueTick.tickOnce();
    await settle(answerQueue);
    assert.equal(answerQueue.events('QuestionDue', created.familyId).length, 1);
    assert.equal(await firedCount(created.familyId, 'question'), 1);
    assert.equal((await getSchedule(created.familyId)).body.nextQuestionDueAt, '2026-06-02T00:00:00.000Z');
  });

  it('when a push time is within the lead, then the tick announces the question at once, carrying its instant, and not before the lead', async () => {
    setClock('2026-06-01T09:10:00+09:00');
    const created = familyCreated('Asia/Seoul', '09:20', null);
    await handle(created);

    // Six minutes before 09:20 (the lead is five): nothing yet.
    setClock('2026-06-01T09:14:00+09:00');
    await service.dueTick.tickOnce();
    assert.equal(await firedCount(created.familyId, 'question'), 0, 'not announced before the lead begins');

    // Four minutes before 09:20 by the scheduler's clock, which stands still here.
    setClock('2026-06-01T09:16:00+09:00');
    // The service's own tick loop may get there first: either way, it is announced once, now.
    await service.dueTick.tickOnce();
    const due = await questionDueOf(created.familyId);
    assert.deepEqual(due?.data, { localDate: '2026-06-01', dueAt: '2026-06-01T00:20:00.000Z' });
    assert.equal(due?.occurredAt, '2026-06-01T00:16:00.000Z', 'it occurs when announced, ahead of its instant');
    assert.equal(await firedCount(created.familyId, 'question'), 1);
    assert.equal((await getSchedule(created.familyId)).body.nextQuestionDueAt, '2026-06-02T00:20:00.000Z');
    await settle(answerQueue);
    assert.equal(answerQueue.events('QuestionDue', created.familyId).length, 1);
  });

  it('when two replicas tick the same due-index, then each of many families due at once fires exactly once', async () => {
    setClock('2026-06-01T09:30:00+09:00');
    const families = Array.from({ length: 200 }, () => familyCreated('Asia/Seoul', '10:00', null));
    for (const created of families) await handle(created);

    const replica = createDatabase<SchedulerDatabase>({ url: test.url, schema, poolSize: 2 });
    const secondTick = startDueTick({
      db: replica.db,
      logger: createLogger('scheduler', 'silent'),
      metrics: createMetrics('scheduler'),
      now,
      intervalMs: 5,
      batchSize,
      catchUpWindowMinutes: 180,
      leadMs: 300_000,
      maxLeadMs: 3_600_000,
      prepareRate: 75,
      awaitedMembers,
    });
    try {
      setClock('2026-06-01T10:00:00.100+09:00');
      // On top of both loops, a few extra ticks from each replica at the same moment.
      await Promise.all([
        service.dueTick.tickOnce(),
        secondTick.tickOnce(),
        service.dueTick.tickOnce(),
        secondTick.tickOnce(),
      ]);
      await eventually(
        async () => {
          await answerQueue.drain();
          return families.every((created) => answerQueue.events('QuestionDue', created.familyId).length > 0);
        },
        { message: 'every family got its question' },
      );
    } finally {
      await secondTick.stop();
      await replica.close();
    }
    await settle(answerQueue);
    for (const created of families) {
      const events = answerQueue.events('QuestionDue', created.familyId);
      assert.deepEqual(
        events.map((event) => event.data),
        [{ localDate: '2026-06-01', dueAt: '2026-06-01T01:00:00.000Z' }],
      );
    }
  });

  it('when more families share a minute than the lead can prepare, then their questions are announced as early as preparing them needs', async () => {
    setClock('2026-06-01T10:20:00+09:00');
    const families = Array.from({ length: 130 }, () => familyCreated('Asia/Seoul', '10:40', null));
    for (const created of families) await handle(created);

    // Replicas whose services prepare one family a second: 130 families need more than two
    // minutes beyond the five-minute lead, so they are announced at 10:33, not 10:35. Eight
    // minutes ahead, three beyond the lead are time enough; seven are not (130 > 1 a second × 120 s).
    await crowdAnnounced({
      familyIds: families.map((created) => created.familyId),
      kind: 'question',
      quietAt: '2026-06-01T10:32:00+09:00',
      announcedAt: '2026-06-01T10:33:00+09:00',
    });
    await settle(answerQueue);
    for (const created of families) {
      const events = answerQueue.events('QuestionDue', created.familyId);
      assert.deepEqual(
        events.map((event) => ({ occurredAt: event.occurredAt, ...event.data })),
        [{ occurredAt: '2026-06-01T01:33:00.000Z', localDate: '2026-06-01', dueAt: '2026-06-01T01:40:00.000Z' }],
      );
    }
  });
});

describe('the "complete" push', () => {
  const nightly = { start: '22:00', end: '08:00' };
  const questionEvents = (familyId: string, openedAt: string, completedAt: string) => {
    const questionId = crypto.randomUUID();
    const opened = createEvent(
      'QuestionOpened',
      familyId,
      {
        questionId,
        localDate: '2026-06-01',
        text: { ko: '오늘 어땠어?', en: 'How was today?' },
        openedAt,
        requiredMemberIds: [],
      },
      context().context,
    );
    const completed = createEvent('FamilyQuestionCompleted', familyId, { questionId, completedAt }, context().context);
    return { questionId, opened, completed };
  };

  it('when completion and opening arrive out of order and duplicated, then exactly one DueAndComplete reaches the notifier, at completion', async () => {
    setClock('2026-06-01T11:00:00+09:00');
    const created = familyCreated('Asia/Seoul', '09:00', nightly);
    await handle(created);
    const { questionId, opened, completed } = questionEvents(
      created.familyId,
      '2026-06-01T11:00:00+09:00',
      '2026-06-01T11:30:00+09:00',
    );
    // The projection reporting completion again, later, under a new event id.
    const completedAgain = createEvent(
      'FamilyQuestionCompleted',
      created.familyId,
      { questionId, completedAt: '2026-06-01T11:40:00+09:00' },
      context().context,
    );
    for (const event of [completed, opened, completed, opened, completedAgain]) await publish(event);
    await eventually(schedulerQueueIdle, { message: 'all deliveries consumed' });
    const pending = await test.db
      .selectFrom('pending_push')
      .selectAll()
      .where('family_id', '=', created.familyId)
      .orderBy('kind')
      .execute();
    assert.deepEqual(
      pending.map((push) => [push.kind, push.due_at.toISOString()]),
      [
        ['complete', '2026-06-01T02:30:00.000Z'],
        ['reminder', '2026-06-01T05:00:00.000Z'], // three hours after opening
      ],
    );

    setClock('2026-06-01T11:30:00.100+09:00');
    const [due] = await eventually(
      async () => {
        await notifierQueue.drain();
        const events = notifierQueue.events('DueAndComplete', created.familyId);
        return events.length > 0 && events;
      },
      { message: 'DueAndComplete on the notifier queue' },
    );
    assert.deepEqual(due?.data, { questionId, dueAt: '2026-06-01T02:30:00.000Z' });
    assert.ok([opened.id, completed.id].includes(due?.causationId ?? ''), 'caused by the event that made it due');

    // Redelivered after the push went out: nothing more.
    for (const event of [completed, opened, completedAgain]) await publish(event);
    await eventually(schedulerQueueIdle, { message: 'late redeliveries consumed' });
    await service.dueTick.tickOnce();
    await settle(notifierQueue);
    assert.equal(notifierQueue.events('DueAndComplete', created.familyId).length, 1);
    assert.equal(await firedCount(created.familyId, 'complete'), 1);
  });

  it('when the question completes inside quiet hours, then DueAndComplete is due when they end, announced within the lead before', async () => {
    setClock('2026-06-01T23:10:00+09:00');
    const created = familyCreated('Asia/Seoul', '09:00', nightly);
    const { questionId, opened, completed } = questionEvents(
      created.familyId,
      '2026-06-01T09:00:00+09:00',
      '2026-06-01T23:10:00+09:00',
    );
    for (const event of [opened, completed, created]) await handle(event);
    await service.dueTick.tickOnce();
    await settle(notifierQueue);
    assert.equal(notifierQueue.events('DueAndComplete', created.familyId).length, 0, 'nothing during quiet hours');

    // The lead (five minutes) before 08:00: not yet announced.
    setClock('2026-06-02T07:54:59+09:00');
    await service.dueTick.tickOnce();
    await settle(notifierQueue);
    assert.equal(notifierQueue.events('DueAndComplete', created.familyId).length, 0, 'nothing before the lead');

    // Within the lead it is announced, carrying the end of quiet hours as its instant.
    setClock('2026-06-02T07:55:00.100+09:00');
    await eventually(
      async () => {
        await notifierQueue.drain();
        return notifierQueue.events('DueAndComplete', created.familyId).length > 0;
      },
      { message: 'DueAndComplete within the lead before the end of quiet hours' },
    );
    await settle(notifierQueue);
    assert.deepEqual(
      notifierQueue.events('DueAndComplete', created.familyId).map((event) => event.data),
      [{ questionId, dueAt: '2026-06-01T23:00:00.000Z' }],
    );
  });
});

describe('after an outage', () => {
  it('when the clock jumps days ahead, then each family gets only its latest missed question, and only within the catch-up window', async () => {
    setClock('2026-06-02T08:30:00+09:00');
    const fresh = familyCreated('Asia/Seoul', '09:00', null); // due 2 June 09:00
    const stale = familyCreated('Asia/Seoul', '06:00', null); // due 3 June 06:00
    // At the edge of the 180-minute window, counted from the clock (not from the end of the lead).
    const lastFresh = familyCreated('Asia/Seoul', '07:30', null);
    const firstStale = familyCreated('Asia/Seoul', '07:29', null);
    for (const created of [fresh, stale, lastFresh, firstStale]) await handle(created);

    // Down from before 2 June 09:00 until 5 June 10:30: 09:00 is 90 minutes ago, 06:00 is 270.
    setClock('2026-06-05T10:30:00+09:00');
    await eventually(
      async () => {
        await answerQueue.drain();
        return answerQueue.events('QuestionDue', fresh.familyId).length > 0;
      },
      { message: 'the fresh family caught up' },
    );
    await service.dueTick.tickOnce();
    await settle(answerQueue);
    assert.deepEqual(
      answerQueue.events('QuestionDue', fresh.familyId).map((event) => event.data),
      [{ localDate: '2026-06-05', dueAt: '2026-06-05T00:00:00.000Z' }],
    );
    assert.equal(answerQueue.events('QuestionDue', stale.familyId).length, 0);
    assert.equal((await getSchedule(stale.familyId)).body.nextQuestionDueAt, '2026-06-05T21:00:00.000Z');
    assert.equal(answerQueue.events('QuestionDue', lastFresh.familyId).length, 1, '180 minutes late: announced');
    assert.equal(answerQueue.events('QuestionDue', firstStale.familyId).length, 0, '181 minutes late: skipped');
  });
});

describe('a schedule change', () => {
  it('when a family moves to a zone where today has not yet come, then today is not fired again', async () => {
    setClock('2026-06-05T10:40:00+09:00');
    const created = familyCreated('Asia/Seoul', '09:00', null);
    await handle(created);
    setClock('2026-06-06T09:00:00.100+09:00'); // 6 June fires in Seoul (5 June 20:00 in New York)
    await eventually(async () => (await firedCount(created.familyId, 'question')) === 1, { message: 'fired in Seoul' });

    const { context: ctx } = context();
    const moved = createEvent(
      'ScheduleChanged',
      created.familyId,
      { timezone: 'America/New_York', pushTime: '09:00', quietHours: null, reminderOffsetMinutes: 180 },
      ctx,
    );
    setClock('2026-06-06T09:30:00+09:00');
    await handle(moved);
    // 6 June 09:00 in New York is still ahead, but 6 June has had its question.
    const { body } = await getSchedule(created.familyId);
    assert.deepEqual(body, {
      familyId: created.familyId,
      timezone: 'America/New_York',
      pushTime: '09:00',
      quietHours: null,
      reminderOffsetMinutes: 180,
      nextQuestionDueAt: '2026-06-07T13:00:00.000Z',
    });
    // The original FamilyCreated arriving late changes nothing.
    await handle({ ...created, id: newEventId() });
    assert.equal((await getSchedule(created.familyId)).body.timezone, 'America/New_York');
  });
});

describe('the reminder', () => {
  const nightly = { start: '22:00', end: '08:00' };
  const [mother, father, child] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
  const familyOfThree = () => {
    const created = familyCreated('Asia/Seoul', '09:00', nightly);
    const { familyId } = created;
    const questionId = crypto.randomUUID();
    const event = <Type extends 'QuestionOpened' | 'AnswerSubmitted' | 'MemberLeft' | 'FamilyQuestionCompleted'>(
      type: Type,
      data: EventOf<Type>['data'],
    ) => createEvent(type, familyId, data, context().context) as EventOf<Type>;
    return {
      created,
      familyId,
      questionId,
      opened: (openedAt: string) =>
        event('QuestionOpened', {
          questionId,
          localDate: openedAt.slice(0, 10),
          text: { ko: '오늘 어땠어?', en: 'How was today?' },
          openedAt,
          requiredMemberIds: [mother, father, child],
        }),
      answered: (memberId: string, answeredAt: string) =>
        event('AnswerSubmitted', { questionId, memberId, answeredAt }),
      left: (memberId: string) => event('MemberLeft', { memberId }),
      completed: (completedAt: string) => event('FamilyQuestionCompleted', { questionId, completedAt }),
    };
  };
  /** The projection (over its API, as the tick asks it) awaits exactly these members. */
  const projectionAwaits = (family: { familyId: string; questionId: string }, memberIds: string[]) =>
    eventually(
      async () => {
        const audience = (await awaitedMembers([family])).get(questionKey(family));
        return isDeepStrictEqual(audience?.awaitedMemberIds, memberIds);
      },
      { message: `the projection awaits ${memberIds.length} members` },
    );
  const reminders = async (familyId: string) => {
    await settle(notifierQueue);
    return notifierQueue.events('ReminderDue', familyId);
  };
  /** The reminder is settled without a push, for `reason` (by the test's tick or the service's own). */
  const skipped = (familyId: string, questionId: string, reason: string | string[]) =>
    eventually(
      async () => {
        const row = await test.db
          .selectFrom('fired')
          .select(['event_id', 'skip_reason'])
          .where('family_id', '=', familyId)
          .where('subject', '=', questionId)
          .where('kind', '=', 'reminder')
          .executeTakeFirst();
        return row !== undefined && row.event_id === null && [reason].flat().includes(row.skip_reason ?? '');
      },
      { message: `reminder skipped (${[reason].flat().join(' or ')})` },
    );

  it('when members have not answered as the offset nears, then one ReminderDue reaches the notifier within the lead, due at the offset and naming only them, whatever the order and duplicates of events', async () => {
    setClock('2026-06-07T09:00:00+09:00');
    const family = familyOfThree();
    // The father answers before the scheduler hears that the question opened; the child leaves.
    const opened = family.opened('2026-06-07T09:00:00+09:00');
    const answered = family.answered(father, '2026-06-07T09:10:00+09:00');
    const left = family.left(child);
    for (const event of [answered, left, opened, family.created, answered, opened, left]) await publish(event);
    await eventually(schedulerQueueIdle, { message: 'all deliveries consumed' });
    await projectionAwaits(family, [mother]);

    // The lead is five minutes: the reminder due at 12:00 is announced from 11:55.
    setClock('2026-06-07T11:54:59+09:00');
    await service.dueTick.tickOnce();
    assert.equal((await reminders(family.familyId)).length, 0, 'nothing before the lead');

    setClock('2026-06-07T11:55:00.100+09:00');
    const [reminder] = await eventually(
      async () => {
        await notifierQueue.drain();
        const events = notifierQueue.events('ReminderDue', family.familyId);
        return events.length > 0 && events;
      },
      { message: 'ReminderDue on the notifier queue' },
    );
    assert.deepEqual(reminder?.data, {
      questionId: family.questionId,
      memberIds: [mother],
      dueAt: '2026-06-07T03:00:00.000Z',
    });
    // Caused by whichever made it due: the opening, or the family's creation when that came later.
    assert.ok([opened.id, family.created.id].includes(reminder?.causationId ?? ''));

    // Redelivered after the reminder went out, and the family re-created by a late duplicate: nothing more.
    for (const event of [opened, answered, family.created]) await publish(event);
    await eventually(schedulerQueueIdle, { message: 'late redeliveries consumed' });
    await service.dueTick.tickOnce();
    assert.equal((await reminders(family.familyId)).length, 1);
    assert.equal(await firedCount(family.familyId, 'reminder'), 1);
  });

  it('when the question completes before the offset, then no reminder goes out, and a schedule change does not bring it back', async () => {
    setClock('2026-06-08T09:00:00+09:00');
    const family = familyOfThree();
    for (const event of [family.created, family.opened('2026-06-08T09:00:00+09:00')]) await handle(event);
    await handle(family.completed('2026-06-08T10:00:00+09:00'));

    setClock('2026-06-08T12:00:00.100+09:00');
    await service.dueTick.tickOnce();
    await skipped(family.familyId, family.questionId, 'complete');
    const pendingPushes = () =>
      test.db.selectFrom('pending_push').select('kind').where('family_id', '=', family.familyId).execute();
    await eventually(async () => (await pendingPushes()).length === 0, { message: 'both pushes settled' });
    // Quiet hours moved over noon: a reminder scheduled again would wait for 13:00.
    const changed = createEvent(
      'ScheduleChanged',
      family.familyId,
      {
        timezone: 'Asia/Seoul',
        pushTime: '09:00',
        quietHours: { start: '11:00', end: '13:00' },
        reminderOffsetMinutes: 180,
      },
      context().context,
    );
    await handle(changed);
    assert.deepEqual(await pendingPushes(), []);
    setClock('2026-06-08T13:00:00.100+09:00');
    await service.dueTick.tickOnce();
    assert.equal((await reminders(family.familyId)).length, 0);
  });

  it('when the offset falls inside quiet hours, then the reminder waits for their end, and is skipped if everyone answers meanwhile', async () => {
    setClock('2026-06-08T20:00:00+09:00');
    const waiting = familyOfThree();
    const answering = familyOfThree();
    for (const family of [waiting, answering]) {
      // Opened 20:00 KST: three hours later is 23:00, inside 22:00–08:00.
      for (const event of [family.created, family.opened('2026-06-08T20:00:00+09:00')]) await publish(event);
    }
    await eventually(schedulerQueueIdle, { message: 'both families scheduled' });
    setClock('2026-06-08T23:00:00.100+09:00');
    await service.dueTick.tickOnce();
    setClock('2026-06-09T07:54:59+09:00');
    await service.dueTick.tickOnce();
    assert.equal((await reminders(waiting.familyId)).length, 0, 'nothing during quiet hours, before the lead');
    // In the night every required member answers; the scheduler has not heard of completion.
    for (const memberId of [mother, father, child])
      await publish(answering.answered(memberId, '2026-06-09T01:00:00+09:00'));
    await projectionAwaits(answering, []);
    await projectionAwaits(waiting, [mother, father, child]);

    setClock('2026-06-09T07:55:00.100+09:00');
    await eventually(
      async () => {
        await notifierQueue.drain();
        return notifierQueue.events('ReminderDue', waiting.familyId).length > 0;
      },
      { message: 'ReminderDue within the lead before the end of quiet hours' },
    );
    // Whether the projection's completion reached the scheduler before the reminder came due or not.
    await skipped(answering.familyId, answering.questionId, ['everyone-answered', 'complete']);
    assert.deepEqual(
      (await reminders(waiting.familyId)).map((event) => event.data),
      [{ questionId: waiting.questionId, memberIds: [mother, father, child], dueAt: '2026-06-08T23:00:00.000Z' }],
    );
    assert.equal((await reminders(answering.familyId)).length, 0);
  });

  it('when a family’s creation and its question are handled at the same moment, then the reminder is still scheduled', async () => {
    setClock('2026-06-09T08:30:00+09:00');
    const families = Array.from({ length: 30 }, familyOfThree);
    // Each handler alone would miss the other's uncommitted row; the family lock orders them.
    await Promise.all(
      families.flatMap((family) => [handle(family.created), handle(family.opened('2026-06-09T08:30:00+09:00'))]),
    );
    const pending = await test.db
      .selectFrom('pending_push')
      .select('family_id')
      .where('kind', '=', 'reminder')
      .where(
        'family_id',
        'in',
        families.map((family) => family.familyId),
      )
      .execute();
    assert.equal(pending.length, families.length);
  });

  it('when the scheduler was down past the catch-up window, then the missed reminder is dropped, not sent late', async () => {
    setClock('2026-06-09T09:00:00+09:00');
    const family = familyOfThree();
    for (const event of [family.created, family.opened('2026-06-09T09:00:00+09:00')]) await handle(event);
    setClock('2026-06-09T15:00:00.001+09:00'); // due at 12:00; the window is three hours
    await skipped(family.familyId, family.questionId, 'stale');
    assert.equal((await reminders(family.familyId)).length, 0);
  });

  it('when a reminder’s lead begins before its question opens, then it is announced only once the question is open', async () => {
    setClock('2026-06-10T08:50:00+09:00');
    const family = familyOfThree();
    await publish(family.created);
    await eventually(schedulerQueueIdle, { message: 'the family scheduled' });
    // Two minutes after opening: inside the five-minute lead of a question still held.
    await test.db
      .updateTable('family_schedule')
      .set({ reminder_offset_minutes: 2 })
      .where('family_id', '=', family.familyId)
      .execute();
    await publish(family.opened('2026-06-10T09:00:00+09:00'));
    await eventually(schedulerQueueIdle, { message: 'the question scheduled' });
    await projectionAwaits(family, [mother, father, child]);

    setClock('2026-06-10T08:59:59+09:00');
    await service.dueTick.tickOnce();
    assert.equal((await reminders(family.familyId)).length, 0, 'nothing while the question is held');

    setClock('2026-06-10T09:00:00.100+09:00');
    const [reminder] = await eventually(
      async () => {
        await notifierQueue.drain();
        const events = notifierQueue.events('ReminderDue', family.familyId);
        return events.length > 0 && events;
      },
      { message: 'ReminderDue once the question opened' },
    );
    assert.equal(reminder?.data.dueAt, '2026-06-10T00:02:00.000Z');
  });

  it('when more reminders share a minute than the lead can prepare, then they are announced as early as preparing them needs', async () => {
    setClock('2026-06-11T07:00:00+09:00');
    const families = Array.from({ length: 130 }, familyOfThree);
    for (const family of families) {
      for (const event of [family.created, family.opened('2026-06-11T07:00:00+09:00')]) await publish(event);
    }
    await eventually(schedulerQueueIdle, { message: 'every family and question scheduled' });
    for (const family of families) await projectionAwaits(family, [mother, father, child]);

    // As for questions: replicas whose services prepare one family a second announce the 130
    // reminders due at 10:00 from 09:53, not 09:55; one whose maximum lead is the lead does not.
    await crowdAnnounced({
      familyIds: families.map((family) => family.familyId),
      kind: 'reminder',
      quietAt: '2026-06-11T09:52:00+09:00',
      announcedAt: '2026-06-11T09:53:00+09:00',
    });
    await settle(notifierQueue);
    for (const family of families) {
      assert.deepEqual(
        notifierQueue.events('ReminderDue', family.familyId).map((event) => [event.occurredAt, event.data.dueAt]),
        [['2026-06-11T00:53:00.000Z', '2026-06-11T01:00:00.000Z']],
      );
    }
  });

  it('when a parent changes the reminder offset, then the reminder still waiting moves to it, and an older change arriving late does not move it back', async () => {
    setClock('2026-06-12T09:00:00+09:00');
    const family = familyOfThree();
    for (const event of [family.created, family.opened('2026-06-12T09:00:00+09:00')]) await handle(event);
    const reminderDueAt = async () => {
      const row = await test.db
        .selectFrom('pending_push')
        .select('due_at')
        .where('family_id', '=', family.familyId)
        .where('kind', '=', 'reminder')
        .executeTakeFirstOrThrow();
      return row.due_at.toISOString();
    };
    assert.equal(await reminderDueAt(), '2026-06-12T03:00:00.000Z', 'the default: 3 hours after 09:00 KST');
    const offsetChanged = (reminderOffsetMinutes: number) =>
      createEvent(
        'ScheduleChanged',
        family.familyId,
        { timezone: 'Asia/Seoul', pushTime: '09:00', quietHours: nightly, reminderOffsetMinutes },
        context().context,
      );

    setClock('2026-06-12T09:30:00+09:00');
    const older = offsetChanged(45);
    setClock('2026-06-12T09:40:00+09:00');
    const newer = offsetChanged(90);
    await handle(newer);
    await handle(older);

    assert.equal(await reminderDueAt(), '2026-06-12T01:30:00.000Z', '90 minutes after 09:00 KST');
    const view = await test.db
      .selectFrom('family_schedule')
      .select('reminder_offset_minutes')
      .where('family_id', '=', family.familyId)
      .executeTakeFirstOrThrow();
    assert.equal(view.reminder_offset_minutes, 90);
  });
});

describe('a schedule change within the lead', () => {
  it('when the push time changes after the question was announced, then it is announced again at the new time, and the next day follows it', async () => {
    setClock('2026-07-10T08:00:00+09:00');
    const created = familyCreated('Asia/Seoul', '09:00', null);
    await handle(created);
    setClock('2026-07-10T08:56:00+09:00');
    await service.dueTick.tickOnce();
    const first = await questionDueOf(created.familyId);
    assert.equal(first?.data.dueAt, '2026-07-10T00:00:00.000Z');

    const { context: ctx } = context();
    const moved = createEvent(
      'ScheduleChanged',
      created.familyId,
      { timezone: 'Asia/Seoul', pushTime: '20:00', quietHours: null, reminderOffsetMinutes: 180 },
      ctx,
    );
    setClock('2026-07-10T08:58:00+09:00');
    await handle(moved);
    await handle(moved); // redelivered: nothing more
    await settle(answerQueue);
    const announced = answerQueue.events('QuestionDue', created.familyId);
    assert.deepEqual(
      announced.map((event) => event.data),
      [
        { localDate: '2026-07-10', dueAt: '2026-07-10T00:00:00.000Z' },
        { localDate: '2026-07-10', dueAt: '2026-07-10T11:00:00.000Z' },
      ],
    );
    assert.equal(announced[1]?.causationId, moved.id, 'caused by the change');
    const [ledger] = await test.db
      .selectFrom('fired')
      .select(['due_at', 'event_id'])
      .where('family_id', '=', created.familyId)
      .where('kind', '=', 'question')
      .execute();
    assert.equal(ledger?.due_at.toISOString(), '2026-07-10T11:00:00.000Z');
    assert.equal(ledger?.event_id, announced[1]?.id);
    assert.equal((await getSchedule(created.familyId)).body.nextQuestionDueAt, '2026-07-11T11:00:00.000Z');
  });

  it('when a question is rescheduled, then its reminder follows the new instant, whichever report arrives first', async () => {
    setClock('2026-07-12T08:00:00+09:00');
    const created = familyCreated('Asia/Seoul', '09:00', null);
    await handle(created);
    const questionId = crypto.randomUUID();
    const data = (openedAt: string) => ({
      questionId,
      localDate: '2026-07-12',
      text: { ko: '질문', en: 'Question' },
      openedAt,
      requiredMemberIds: [crypto.randomUUID()],
    });
    const { context: openedContext } = context();
    const opened = createEvent('QuestionOpened', created.familyId, data('2026-07-12T00:00:00.000Z'), openedContext);
    setClock('2026-07-12T08:58:00+09:00');
    const { context: movedContext } = context();
    const rescheduled = createEvent(
      'QuestionRescheduled',
      created.familyId,
      data('2026-07-12T11:00:00.000Z'),
      movedContext,
    );
    for (const event of [rescheduled, opened]) await handle(event);
    const [reminder] = await test.db
      .selectFrom('pending_push')
      .select('due_at')
      .where('family_id', '=', created.familyId)
      .where('kind', '=', 'reminder')
      .execute();
    assert.equal(
      reminder?.due_at.toISOString(),
      '2026-07-12T14:00:00.000Z',
      'three hours after 20:00, not after 09:00',
    );
  });
});
