import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PublishBatchCommand } from '@aws-sdk/client-sns';
import { createEvent, newEventId } from '@haru/contracts';
import { eventually, type QueueReader } from '@haru/testing';
import { sql } from 'kysely';
import pg from 'pg';
import { startTestScheduler, type TestScheduler } from '../test/support/start-test-scheduler.ts';
import { schema } from './database.ts';

// The old system's failure: scheduled work and requests sharing one pool. Here each of the
// tick, the consumer and the API is stuck on purpose with all its connections, and the
// other two must carry on. Pools of two make "all its connections" cheap to reach.
let clock = new Date('2026-06-01T08:00:00+09:00');
const now = () => clock;
let environment: TestScheduler['environment'];
let service: TestScheduler['service'];
let test: TestScheduler['test'];
let handle: TestScheduler['handle'];
let publish: TestScheduler['publish'];
let stop: TestScheduler['stop'];
let answerQueue: QueueReader;

before(async () => {
  ({
    environment,
    service,
    test,
    handle,
    publish,
    stop,
    queues: { answer: answerQueue },
  } = await startTestScheduler({
    now,
    settings: {
      DATABASE_POOL_SIZE: '2',
      CONSUMER_CONCURRENCY: '2',
      SCHEDULER_TICK_POOL_SIZE: '2',
      SCHEDULER_TICK_BATCH_SIZE: '5',
      SCHEDULER_TICK_MS: '20',
    },
  }));
});

after(() => stop?.());

const familyCreated = (pushTime: string) => {
  const id = newEventId();
  const data = { name: 'Lee', timezone: 'Asia/Seoul', pushTime, quietHours: null, reminderOffsetMinutes: 180 };
  return createEvent(
    'FamilyCreated',
    crypto.randomUUID(),
    data,
    { occurredAt: clock, correlationId: id, causationId: null },
    id,
  );
};
const scheduleOf = (familyId: string) =>
  fetch(`${service.url}/internal/families/${familyId}/schedule`, {
    headers: { 'x-haru-service-token': environment.internalApiToken },
  });
/** How many sessions of the test's database wait for a lock. */
const waitingForLocks = async () => {
  const { rows } = await sql<{ waiting: number }>`
    select count(*)::int as waiting from pg_stat_activity
    where datname = current_database() and wait_event_type = 'Lock'`.execute(test.db);
  return rows[0]?.waiting ?? 0;
};
/** A connection of the test's own, holding locks in an open transaction until released. */
const holdLocks = async (statement: string, parameters: unknown[] = []) => {
  const client = new pg.Client({ connectionString: environment.env.DATABASE_URL, options: `-c search_path=${schema}` });
  await client.connect();
  await client.query('begin');
  await client.query(statement, parameters);
  return async () => {
    await client.query('commit');
    await client.end();
  };
};

describe('isolation of the tick, the consumer and the API', () => {
  it('when the tick is stuck holding all its connections, then the API answers and the consumer applies events', async () => {
    const due = Array.from({ length: 20 }, () => familyCreated('09:00'));
    for (const created of due) await handle(created);
    // The ledger is locked: every tick transaction claims its rows, then waits to record them.
    const release = await holdLocks('lock table fired in exclusive mode');
    let ticks: Promise<unknown>[] = [];
    try {
      clock = new Date('2026-06-01T09:00:00.100+09:00');
      ticks = [service.dueTick.tickOnce(), service.dueTick.tickOnce()]; // more than its pool holds, with the loop
      await eventually(async () => (await waitingForLocks()) >= 2, { message: 'both tick connections stuck' });

      const newcomer = familyCreated('21:00');
      await publish(newcomer);
      const response = await eventually(
        async () => {
          const answer = await scheduleOf(newcomer.familyId);
          return answer.status === 200 && answer;
        },
        { message: 'the consumer applied FamilyCreated and the API served it' },
      );
      assert.equal(((await response.json()) as { pushTime: string }).pushTime, '21:00');
    } finally {
      await release();
    }
    await Promise.all(ticks);
    await eventually(
      async () => {
        await answerQueue.drain();
        return due.every((created) => answerQueue.events('QuestionDue', created.familyId).length === 1);
      },
      { message: 'every stuck family fired once the tick was free' },
    );
  });

  it('when the consumer is stuck holding all its connections, then the API answers and the tick fires', async () => {
    const busy = familyCreated('23:00');
    const due = Array.from({ length: 3 }, () => familyCreated('10:00'));
    for (const created of [busy, ...due]) await handle(created);
    // Two changes of one family whose schedule row is locked: each handler waits for it.
    const release = await holdLocks('select from family_schedule where family_id = $1 for update', [busy.familyId]);
    try {
      // In one batch, so that one receive takes both and the consumer handles them at once.
      const changes = ['Europe/London', 'Europe/Paris'].map((timezone) => {
        const id = newEventId();
        const data = { timezone, pushTime: '23:00', quietHours: null, reminderOffsetMinutes: 180 };
        const context = { occurredAt: clock, correlationId: id, causationId: null };
        return createEvent('ScheduleChanged', busy.familyId, data, context, id);
      });
      await environment.clients.sns.send(
        new PublishBatchCommand({
          TopicArn: environment.topology.topicArn,
          PublishBatchRequestEntries: changes.map((event) => ({
            Id: event.id,
            Message: JSON.stringify(event),
            MessageAttributes: { type: { DataType: 'String', StringValue: event.type } },
          })),
        }),
      );
      await eventually(async () => (await waitingForLocks()) >= 2, { message: 'both consumer connections stuck' });

      clock = new Date('2026-06-01T10:00:00.100+09:00');
      await eventually(
        async () => {
          await answerQueue.drain();
          return due.every((created) => answerQueue.events('QuestionDue', created.familyId).length === 1);
        },
        { message: 'the tick fired and the relay published while the consumer was stuck' },
      );
      assert.equal((await scheduleOf(due[0]?.familyId ?? '')).status, 200);
    } finally {
      await release();
    }
    await eventually(
      async () =>
        ((await (await scheduleOf(busy.familyId)).json()) as { timezone: string }).timezone === 'Europe/Paris',
      { message: 'the stuck changes applied once released' },
    );
  });
});
