import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PublishBatchCommand, type SNSClient } from '@aws-sdk/client-sns';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { createEvent, type DomainEvent, type EventContext } from '@haru/contracts';
import { createDatabase, type Executor, migrateToLatest } from '@haru/db';
import { createLogger, createMetrics } from '@haru/observability';
import {
  createTestDatabase,
  eventually,
  metricSample,
  publishEvent,
  readQueue,
  uniqueTopologyPrefix,
} from '@haru/testing';
import { sql, type Transaction } from 'kysely';
import pg from 'pg';
import {
  type AppliedTopology,
  appendToOutbox,
  applyTopology,
  createAwsClients,
  handleOnce,
  holdOnOutbox,
  type MessagingTables,
  messagingMigrations,
  type OutboxRelayOptions,
  startConsumer,
  startOutboxRelay,
  transactionWithOutbox,
} from './index.ts';

const logger = createLogger('messaging-test', 'silent');
const clients = createAwsClients({ AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL });
const schema = 'messaging_test';
const familyId = '0193f5a0-0000-7000-8000-0000000000aa';
const context: EventContext = { occurredAt: new Date(), correlationId: 'c-1', causationId: null };

// Each test that starts a relay or consumer measures into a registry of its own.
let metrics = createMetrics('messaging-test');
const fresh = () => {
  metrics = createMetrics('messaging-test');
};

const questionDue = (localDate: string) =>
  createEvent('QuestionDue', familyId, { localDate, dueAt: new Date().toISOString() }, context);

/** `count` QuestionDue events of one family, a day each. */
const questionDuesOf = (ofFamily: string, count: number) =>
  Array.from({ length: count }, (_, day) =>
    createEvent('QuestionDue', ofFamily, { localDate: `day-${day}`, dueAt: new Date().toISOString() }, context),
  );

/** The relay under test, on this file's outbox and topic; `options` are what a test is about. */
const startRelay = (options: Partial<OutboxRelayOptions> = {}) =>
  startOutboxRelay({ database, sns: clients.sns, topicArn: topology.topicArn, logger, metrics, ...options });

/** Until a relay's listener is connected (its last statement is the LISTEN). */
const relayListening = () =>
  eventually(async () => {
    const { rows } = await sql<{ count: string }>`
      select count(*) from pg_stat_activity where query = ${`listen "${schema}_outbox"`}`.execute(database.db);
    return Number(rows[0]?.count) > 0;
  });

let databaseUrl: string;
let database: ReturnType<typeof createDatabase<MessagingTables>>;
let topology: AppliedTopology;

before(async () => {
  databaseUrl = await createTestDatabase();
  database = createDatabase<MessagingTables>({ url: databaseUrl, schema });
  await migrateToLatest(database.db, schema, messagingMigrations);
  topology = await applyTopology(clients, uniqueTopologyPrefix());
});
after(() => database.close());

const outboxIds = async () =>
  (await database.db.selectFrom('outbox').select('event_id').execute()).map((row) => row.event_id);

async function receive(queueUrl: string) {
  const { Messages = [] } = await clients.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
      MessageAttributeNames: ['All'],
    }),
  );
  return Messages;
}

describe('outbox', () => {
  test('when events commit with a state change, then the relay publishes each to the queues that subscribe to it', async () => {
    const due = questionDue('2026-11-25');
    const joined = createEvent(
      'MemberJoined',
      familyId,
      { memberId: familyId, uid: 'u', role: 'parent', displayName: 'Mom', locale: 'ko' },
      context,
    );
    await transactionWithOutbox(database.db, (trx) => appendToOutbox(trx, [due, joined]));
    const relay = startRelay();
    try {
      const atAnswer = await eventually(async () => {
        const messages = await receive(topology.queues.answer.queueUrl);
        return messages.length > 0 ? messages : undefined;
      });
      assert.deepEqual(
        atAnswer.map((message) => JSON.parse(message.Body ?? '').id),
        [due.id],
        'the answer queue gets QuestionDue only',
      );
      const atNotifier = await eventually(async () => {
        const messages = await receive(topology.queues.notifier.queueUrl);
        return messages.length > 0 ? messages : undefined;
      });
      assert.deepEqual(
        atNotifier.map((message) => JSON.parse(message.Body ?? '')),
        [joined],
        'raw delivery: the body is the envelope as written',
      );
      // The relay deletes what it published after SNS accepted it: the queues may see it first.
      await eventually(async () => (await database.db.selectFrom('outbox').select('event_id').execute()).length === 0, {
        message: 'published rows leave the outbox',
      });
    } finally {
      await relay.stop();
    }
  });

  test('when another replica commits events while the relay sleeps, then a NOTIFY after the commit wakes it long before its next poll', async () => {
    const relay = startRelay({ pollIntervalMs: 600_000 });
    // Another replica of the service: its own pool on the same schema.
    const replica = createDatabase<MessagingTables>({ url: databaseUrl, schema, poolSize: 2 });
    const outboxDrained = (message: string) =>
      eventually(async () => (await outboxIds()).length === 0, { timeoutMs: 10_000, message });
    try {
      await relayListening();
      await transactionWithOutbox(replica.db, (trx) => appendToOutbox(trx, [questionDue('2026-11-27')]));
      await outboxDrained('a transaction’s events went out without waiting ten minutes for a poll');
      await appendToOutbox(replica.db, [questionDue('2026-11-28')]);
      await outboxDrained('a single statement’s events went out without waiting ten minutes for a poll');
    } finally {
      await replica.close();
      await relay.stop();
    }
  });

  test('when the relay runs in the process that commits, then each commit wakes it in-process, without a NOTIFY', async () => {
    const relay = startRelay({ pollIntervalMs: 600_000 });
    const listener = new pg.Client({ connectionString: databaseUrl });
    const notifications: string[] = [];
    listener.on('notification', (notification) => notifications.push(notification.payload ?? ''));
    try {
      await listener.connect();
      await listener.query(`listen "${schema}_outbox"`);
      await relayListening();
      await transactionWithOutbox(database.db, (trx) => appendToOutbox(trx, [questionDue('2026-11-29')]));
      await appendToOutbox(database.db, [questionDue('2026-11-30')]);
      await eventually(async () => (await outboxIds()).length === 0, {
        timeoutMs: 10_000,
        message: 'both commits’ events went out without waiting ten minutes for a poll',
      });
      // Notifications arrive in commit order: once this one is in, any the commits sent are too.
      await sql`select pg_notify(${`${schema}_outbox`}, 'marker')`.execute(database.db);
      await eventually(() => notifications.includes('marker'), { message: 'the marker NOTIFY arrives' });
      assert.deepEqual(notifications, ['marker'], 'the commits sent no NOTIFY of their own');
    } finally {
      await listener.end();
      await relay.stop();
    }
  });

  test('when an event is held until an instant, then it is published at that instant and not before, and nothing else waits behind it', async () => {
    fresh();
    const relay = startRelay({ pollIntervalMs: 600_000 });
    try {
      await relayListening();
      const held = questionDue('2026-12-01');
      const atOnce = questionDue('2026-12-02');
      const delayMs = 1500;
      const heldFrom = Date.now();
      await transactionWithOutbox(database.db, (trx) => holdOnOutbox(trx, [{ event: held, delayMs }]));
      await appendToOutbox(database.db, [atOnce]);

      await eventually(async () => !(await outboxIds()).includes(atOnce.id), {
        message: 'the event to publish at once went out while the held one waited',
      });
      assert.ok(Date.now() < heldFrom + delayMs, 'checked before the held instant');
      assert.deepEqual(await outboxIds(), [held.id], 'the held event waits');
      const scrape = await metrics.metrics();
      assert.equal(metricSample(scrape, 'haru_outbox_backlog_events'), 0, 'a held event is not a backlog');
      assert.equal(metricSample(scrape, 'haru_outbox_oldest_event_age_seconds'), 0);

      // Woken at the instant by its own alarm: the poll is ten minutes away.
      await eventually(async () => (await outboxIds()).length === 0, {
        timeoutMs: 10_000,
        message: 'the held event went out at its instant',
      });
      const sentAt = await eventually(async () => {
        const { Messages = [] } = await clients.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: topology.queues.answer.queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['SentTimestamp'],
          }),
        );
        const message = Messages.find((candidate) => JSON.parse(candidate.Body ?? '{}').id === held.id);
        return message ? Number(message.Attributes?.SentTimestamp) : undefined;
      });
      assert.ok(sentAt >= heldFrom + delayMs, `published ${heldFrom + delayMs - sentAt} ms before its instant`);
      const published = await metrics.metrics();
      const ofQuestionDue = { type: 'QuestionDue' };
      assert.equal(metricSample(published, 'haru_outbox_held_publish_lateness_seconds_count', ofQuestionDue), 1);
      assert.ok((metricSample(published, 'haru_outbox_held_publish_lateness_seconds_sum', ofQuestionDue) ?? -1) >= 0);
    } finally {
      await relay.stop();
    }
  });

  test('when events would be appended in a transaction the outbox does not know of, then that does not compile', () => {
    // Checked by `npm run typecheck`, never run: should one of these calls compile, the
    // expected error above it is missing and the typecheck fails.
    const appendsOutsideTheOutbox = async (trx: Transaction<MessagingTables>, either: Executor<MessagingTables>) => {
      // @ts-expect-error: a transaction not from transactionWithOutbox would commit without waking the relays
      await appendToOutbox(trx, [questionDue('2026-11-29')]);
      // @ts-expect-error: nor may it hold events on the outbox
      await holdOnOutbox(trx, [{ event: questionDue('2026-11-29'), delayMs: 0 }]);
      // @ts-expect-error: a handle that may be such a transaction is refused too
      await appendToOutbox(either, [questionDue('2026-11-29')]);
    };
    assert.equal(typeof appendsOutsideTheOutbox, 'function');
  });

  test('when a backlog is relayed, then its PublishBatch calls overlap, never more than the configured number at once', async () => {
    const familyIdOfBacklog = crypto.randomUUID();
    const backlog = questionDuesOf(familyIdOfBacklog, 250);
    await appendToOutbox(database.db, backlog);
    let inFlight = 0;
    let mostInFlight = 0;
    const countingSns = Object.create(clients.sns, {
      send: {
        value: async (command: PublishBatchCommand) => {
          inFlight += 1;
          mostInFlight = Math.max(mostInFlight, inFlight);
          try {
            return await clients.sns.send(command);
          } finally {
            inFlight -= 1;
          }
        },
      },
    }) as SNSClient;
    const relay = startRelay({ sns: countingSns, pollIntervalMs: 600_000, publishConcurrency: 3 });
    try {
      await eventually(async () => (await outboxIds()).length === 0, { message: 'the backlog was relayed' });
      assert.equal(mostInFlight, 3);
      const answerQueue = readQueue(clients.sqs, topology.queues.answer.queueUrl);
      await eventually(
        async () => {
          await answerQueue.drain();
          return answerQueue.events('QuestionDue', familyIdOfBacklog).length >= backlog.length;
        },
        { message: 'every event of the backlog reached the queue' },
      );
      const published = new Set(answerQueue.events('QuestionDue', familyIdOfBacklog).map((event) => event.id));
      assert.equal(published.size, backlog.length);
    } finally {
      await relay.stop();
    }
  });

  test('when SNS refuses part of a batch, then what it accepted is not published again, and the rest goes out on a later round', async () => {
    const familyIdOfEvents = crypto.randomUUID();
    const events = questionDuesOf(familyIdOfEvents, 25);
    await appendToOutbox(database.db, events);
    let calls = 0;
    // The second PublishBatch of the first round fails outright; in the third SNS refuses one entry.
    const failingSns = Object.create(clients.sns, {
      send: {
        value: async (command: PublishBatchCommand) => {
          calls += 1;
          if (calls === 2) throw new Error('connection reset');
          if (calls !== 3) return clients.sns.send(command);
          const [refused, ...rest] = command.input.PublishBatchRequestEntries ?? [];
          const result = await clients.sns.send(
            new PublishBatchCommand({ ...command.input, PublishBatchRequestEntries: rest }),
          );
          return {
            ...result,
            Failed: [{ Id: refused?.Id, Code: 'InternalError', SenderFault: false, Message: 'try again' }],
          };
        },
      },
    }) as SNSClient;
    // Polling often, so that the round after the failure comes soon.
    const relay = startRelay({ sns: failingSns, pollIntervalMs: 50 });
    try {
      await eventually(async () => (await outboxIds()).length === 0, { message: 'the outbox drained' });
      assert.ok(calls >= 4, 'the failed and the refused events went out in a later round');
      const answerQueue = readQueue(clients.sqs, topology.queues.answer.queueUrl);
      await eventually(
        async () => {
          await answerQueue.drain();
          return answerQueue.events('QuestionDue', familyIdOfEvents).length >= events.length;
        },
        { message: 'every event reached the queue' },
      );
      await answerQueue.drain(1);
      assert.deepEqual(
        answerQueue
          .events('QuestionDue', familyIdOfEvents)
          .map((event) => event.id)
          .sort(),
        events.map((event) => event.id).sort(),
        'each event once: nothing SNS accepted was published again',
      );
    } finally {
      await relay.stop();
    }
  });

  test('when events wait in the outbox, then a scrape counts them, and once relayed they count as published', async () => {
    fresh();
    // SNS answers only when the test says: until then the claimed rows are not yet gone.
    let answer = () => {};
    const answered = new Promise<void>((resolve) => {
      answer = resolve;
    });
    let calls = 0;
    const heldSns = Object.create(clients.sns, {
      send: {
        value: async (command: PublishBatchCommand) => {
          calls += 1;
          await answered;
          return clients.sns.send(command);
        },
      },
    }) as SNSClient;
    const relay = startRelay({ sns: heldSns, pollIntervalMs: 600_000 });
    try {
      const waiting = [questionDue('2026-11-28'), questionDue('2026-11-29'), questionDue('2026-11-30')];
      await transactionWithOutbox(database.db, (trx) => appendToOutbox(trx, waiting));
      await eventually(() => calls > 0, { message: 'the relay claimed the events and waits on SNS' });
      // The claim holds its connection until SNS answers: one of the relay's own, none of the
      // service's pool (whose requests it would otherwise hold up).
      const { rows: claiming } = await sql<{ count: string }>`
        select count(*) from pg_stat_activity
        where datname = current_database() and state = 'idle in transaction'`.execute(database.db);
      assert.equal(claiming[0]?.count, '1', 'the claim holds a connection');
      assert.equal(database.pool.totalCount - database.pool.idleCount, 0, 'none of the service pool’s is in use');

      const before = await metrics.metrics();
      assert.equal(metricSample(before, 'haru_outbox_backlog_events'), 3);
      assert.ok((metricSample(before, 'haru_outbox_oldest_event_age_seconds') ?? -1) >= 0);
      assert.equal(metricSample(before, 'haru_outbox_events_published_total', { type: 'QuestionDue' }), undefined);

      answer();
      const published = async () =>
        metricSample(await metrics.metrics(), 'haru_outbox_events_published_total', { type: 'QuestionDue' });
      await eventually(async () => (await published()) === 3, { message: 'the three count as published' });
      const after = await metrics.metrics();
      assert.equal(metricSample(after, 'haru_outbox_backlog_events'), 0);
      assert.equal(metricSample(after, 'haru_outbox_oldest_event_age_seconds'), 0);
    } finally {
      answer();
      await relay.stop();
    }
  });

  test('when the transaction rolls back, then its events are never published', async () => {
    await assert.rejects(
      transactionWithOutbox(database.db, async (trx) => {
        await appendToOutbox(trx, [questionDue('2026-11-26')]);
        throw new Error('state change failed');
      }),
    );
    const relay = startRelay();
    try {
      assert.equal(await relay.relayPending(), 0);
    } finally {
      await relay.stop();
    }
  });
});

describe('consumer', () => {
  // Queues of their own: the outbox tests leave events on theirs, which would count here.
  let queues: AppliedTopology;
  before(async () => {
    queues = await applyTopology(clients, uniqueTopologyPrefix());
  });

  const publish = (event: DomainEvent) => publishEvent({ sns: clients.sns, topicArn: queues.topicArn }, event);

  const consume = (handle: (event: DomainEvent) => Promise<void>) => {
    fresh();
    return startConsumer({
      name: 'test',
      sqs: clients.sqs,
      ...queues.queues.answer,
      logger,
      metrics,
      concurrency: 4,
      waitTimeSeconds: 1,
      handle,
    });
  };
  const events = async (labels: Record<string, string>) =>
    metricSample(await metrics.metrics(), 'haru_consumer_events_total', labels) ?? 0;

  test('when the same event is delivered twice, then its effect happens once', async () => {
    await sql`create table if not exists effects (event_id uuid, local_date text)`.execute(database.db);
    const event = questionDue('2026-12-01');
    const seen: string[] = [];
    const consumer = consume(async (delivered) => {
      seen.push(delivered.id);
      await handleOnce(database.db, delivered, async (trx) => {
        await sql`insert into effects values (${delivered.id}, '2026-12-01')`.execute(trx);
      });
    });
    try {
      await publish(event);
      await publish(event);
      // Handled means counted too: the handler has returned and the consumer has recorded how it ended.
      await eventually(
        async () =>
          seen.length === 2 &&
          (await events({ type: 'QuestionDue', outcome: 'handled' })) +
            (await events({ type: 'QuestionDue', outcome: 'duplicate' })) ===
            2,
        { message: 'both deliveries handled' },
      );
      const effects = await sql<{ count: string }>`select count(*) from effects where event_id = ${event.id}`.execute(
        database.db,
      );
      assert.equal(Number(effects.rows[0]?.count), 1);
      assert.equal(await events({ type: 'QuestionDue', outcome: 'handled' }), 1);
      assert.equal(await events({ type: 'QuestionDue', outcome: 'duplicate' }), 1, 'the inbox found the second');
      const text = await metrics.metrics();
      assert.equal(metricSample(text, 'haru_consumer_queue_lag_seconds_count', { type: 'QuestionDue' }), 2);
      assert.equal(
        metricSample(text, 'haru_consumer_handler_duration_seconds_count', {
          type: 'QuestionDue',
          outcome: 'duplicate',
        }),
        1,
      );
    } finally {
      await consumer.stop();
    }
  });

  test('when a message is not a valid event, then it goes to the dead-letter queue with the reason and the consumer keeps going', async () => {
    const handled: string[] = [];
    const consumer = consume(async (event) => {
      handled.push(event.id);
    });
    try {
      await clients.sqs.send(
        new SendMessageCommand({ QueueUrl: queues.queues.answer.queueUrl, MessageBody: '{"not":"an event"}' }),
      );
      const valid = questionDue('2026-12-02');
      await publish(valid);
      await eventually(() => handled.includes(valid.id), { message: 'the valid event after the poison one' });
      const dead = await eventually(async () => {
        const messages = await receive(queues.queues.answer.deadLetterQueueUrl);
        return messages.length > 0 ? messages : undefined;
      });
      assert.equal(dead[0]?.Body, '{"not":"an event"}');
      assert.match(dead[0]?.MessageAttributes?.reason?.StringValue ?? '', /bad envelope/);
      assert.equal(await events({ type: 'unknown', outcome: 'dead-lettered' }), 1);
      assert.equal(await events({ type: 'QuestionDue', outcome: 'handled' }), 1);
    } finally {
      await consumer.stop();
    }
  });

  test('when a handler crashes, then the event is delivered again and succeeds', async () => {
    const event = questionDue('2026-12-03');
    let attempts = 0;
    let succeeded = false;
    const consumer = consume(async (delivered) => {
      if (delivered.id !== event.id) return;
      attempts += 1;
      if (attempts === 1) throw new Error('database briefly unavailable');
      succeeded = true;
    });
    try {
      await publish(event);
      await eventually(() => succeeded, { timeoutMs: 15_000, message: 'the retry succeeded' });
      assert.equal(attempts, 2);
      assert.equal(await events({ type: 'QuestionDue', outcome: 'retried' }), 1);
      assert.equal(await events({ type: 'QuestionDue', outcome: 'handled' }), 1);
    } finally {
      await consumer.stop();
    }
  });
});
