import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Message, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { createEvent, type DomainEvent } from '@haru/contracts';
import { createLogger, createMetrics } from '@haru/observability';
import { eventually, isQueueIdle, launchProcess, uniqueTopologyPrefix } from '@haru/testing';
import { type AppliedTopology, applyTopology } from '../apply-topology.ts';
import { createAwsClients } from '../aws-clients.ts';
import { startConsumer } from '../consumer.ts';
import type { ConsumerName } from '../topology.ts';
import { listDeadLetterQueues, queueDepth } from './dead-letter-queues.ts';
import { peekDeadLetters } from './peek-dead-letters.ts';
import { redriveDeadLetters } from './redrive-dead-letters.ts';

const clients = createAwsClients({ AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL });
const logger = createLogger('dlq-test', 'silent');
const prefix = uniqueTopologyPrefix();
let topology: AppliedTopology;

before(async () => {
  topology = await applyTopology(clients, prefix);
});

const questionDue = (familyId: string) =>
  createEvent(
    'QuestionDue',
    familyId,
    { localDate: '2026-12-24', dueAt: new Date().toISOString() },
    { occurredAt: new Date(), correlationId: `c-${familyId}`, causationId: null },
  );

/** Parks an event in a dead-letter queue as the consumer does, with the topic's `type` attribute and a reason. */
const park = (consumer: ConsumerName, event: DomainEvent, reason = 'not-found: no such family') =>
  clients.sqs.send(
    new SendMessageCommand({
      QueueUrl: topology.queues[consumer].deadLetterQueueUrl,
      MessageBody: JSON.stringify(event),
      MessageAttributes: {
        type: { DataType: 'String', StringValue: event.type },
        reason: { DataType: 'String', StringValue: reason },
      },
    }),
  );

const consume = (consumer: ConsumerName, handle: (event: DomainEvent) => Promise<void>) =>
  startConsumer({
    name: consumer,
    sqs: clients.sqs,
    ...topology.queues[consumer],
    logger,
    metrics: createMetrics('dlq-test'),
    concurrency: 4,
    handle,
    waitTimeSeconds: 1,
  });

const deadLetterDepth = async (consumer: ConsumerName) =>
  (await listDeadLetterQueues(clients, prefix)).find((status) => status.consumer === consumer)?.depth;

describe('show', () => {
  test('when a consumer parks a poison message, then list counts it and show prints it, leaving it in the dead-letter queue', async () => {
    const familyId = randomUUID();
    // An envelope without its payload: readable enough to name, invalid enough to park.
    const poison = JSON.stringify({ type: 'QuestionOpened', id: randomUUID(), familyId, correlationId: 'c-poison' });
    const consumer = consume('notifier', async () => {});
    try {
      await clients.sqs.send(
        new SendMessageCommand({ QueueUrl: topology.queues.notifier.queueUrl, MessageBody: poison }),
      );
      await eventually(async () => (await deadLetterDepth('notifier'))?.visible === 1, {
        message: 'the poison message reached the notifier dead-letter queue',
      });
    } finally {
      await consumer.stop();
    }

    const statuses = await listDeadLetterQueues(clients, prefix);
    assert.deepEqual(
      statuses.map(({ deadLetterQueue, sourceQueue }) => [deadLetterQueue, sourceQueue]),
      (['answer', 'projection', 'scheduler', 'notifier'] as const).map((name) => [
        `${prefix}-events-${name}-dlq`,
        `${prefix}-events-${name}`,
      ]),
    );

    const [letter, ...others] = await peekDeadLetters(clients, prefix, 'notifier', { limit: 10 });
    assert.deepEqual(others, []);
    assert.deepEqual(letter?.event, {
      type: 'QuestionOpened',
      id: JSON.parse(poison).id,
      familyId,
      correlationId: 'c-poison',
    });
    assert.equal(letter?.body, poison);
    assert.match(letter?.reason ?? '', /bad envelope/);
    assert.ok(letter?.sentAt instanceof Date && letter.receiveCount >= 1);

    assert.deepEqual(await queueDepth(clients.sqs, topology.queues.notifier.deadLetterQueueUrl), {
      visible: 1,
      inFlight: 0,
    });
    const [again] = await peekDeadLetters(clients, prefix, 'notifier', { limit: 10 });
    assert.equal(again?.messageId, letter?.messageId, 'shown again: show took nothing away');
  });

  test('when more messages are dead-lettered than the limit, then show prints only that many', async () => {
    for (let index = 0; index < 3; index += 1) await park('answer', questionDue(randomUUID()));
    const letters = await peekDeadLetters(clients, prefix, 'answer', { limit: 2 });
    assert.equal(letters.length, 2);
    assert.equal(new Set(letters.map((letter) => letter.messageId)).size, 2);
    assert.deepEqual(await deadLetterDepth('answer'), { visible: 3, inFlight: 0 });
    // Emptied for the redrive tests, which count this dead-letter queue's messages.
    await redriveDeadLetters(clients, prefix, 'answer');
  });
});

describe('redrive', () => {
  test('when dead letters are redriven, then the source queue has them again, without the parking reason, and the dead-letter queue is empty', async () => {
    const familyId = randomUUID();
    const events = [questionDue(familyId), questionDue(familyId), questionDue(familyId)];
    for (const event of events) await park('projection', event);

    const first = await redriveDeadLetters(clients, prefix, 'projection', { limit: 2 });
    assert.equal(first.moved.length, 2);
    assert.deepEqual(first.failures, []);
    assert.deepEqual(await deadLetterDepth('projection'), { visible: 1, inFlight: 0 });

    const rest = await redriveDeadLetters(clients, prefix, 'projection');
    assert.equal(rest.moved.length, 1);
    assert.ok(await isQueueIdle(clients.sqs, topology.queues.projection.deadLetterQueueUrl));

    const returned: Message[] = [];
    await eventually(
      async () => {
        const { Messages = [] } = await clients.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: topology.queues.projection.queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            MessageAttributeNames: ['All'],
          }),
        );
        returned.push(...Messages);
        return returned.length >= events.length;
      },
      { message: 'the three events are back on the projection queue' },
    );
    assert.deepEqual(
      returned.map((message) => JSON.parse(message.Body ?? '').id).sort(),
      events.map((event) => event.id).sort(),
    );
    for (const message of returned) {
      assert.deepEqual(Object.keys(message.MessageAttributes ?? {}), ['type'], 'the reason stays behind');
    }
    const moved = [...first.moved, ...rest.moved].map((letter) => letter.event?.id).sort();
    assert.deepEqual(moved, events.map((event) => event.id).sort(), 'the result names what was moved');
  });

  test('when a redriven message is parked again at once, then one redrive moves it only once', async () => {
    const consumer = consume('answer', async () => {});
    try {
      await clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: topology.queues.answer.deadLetterQueueUrl,
          MessageBody: 'still not an event',
        }),
      );
      const result = await redriveDeadLetters(clients, prefix, 'answer');
      assert.equal(result.moved.length, 1);
      await eventually(async () => (await deadLetterDepth('answer'))?.visible === 1, {
        message: 'the consumer parked it again',
      });
    } finally {
      await consumer.stop();
    }
  });
});

describe('the dlq command', () => {
  const cli = fileURLToPath(new URL('./dlq-cli.ts', import.meta.url));
  const run = async (...args: string[]) => {
    const lines: string[] = [];
    const dlq = launchProcess(process.execPath, [cli, ...args], {
      label: 'dlq',
      env: { HARU_TOPOLOGY_PREFIX: prefix },
      output: (line) => lines.push(line),
    });
    const { code } = await dlq.exited;
    return { code, output: lines.join('\n') };
  };

  test('when run as a process, then it lists, shows and redrives a dead letter back to the consumer that handles it', async () => {
    const event = questionDue(randomUUID());
    await park('scheduler', event);

    const list = await run('list');
    assert.equal(list.code, 0, list.output);
    assert.match(list.output, new RegExp(`${prefix}-events-scheduler-dlq +1 +${prefix}-events-scheduler\\b`));

    const show = await run('show', `${prefix}-events-scheduler`, '--raw');
    assert.equal(show.code, 0, show.output);
    assert.match(show.output, new RegExp(`event QuestionDue ${event.id}, family ${event.familyId}`));
    assert.match(show.output, /reason: not-found: no such family/);
    assert.ok(show.output.includes(`body: ${JSON.stringify(event)}`));

    const handled: string[] = [];
    const consumer = consume('scheduler', async (delivered) => {
      handled.push(delivered.id);
    });
    try {
      const redrive = await run('redrive', `${prefix}-events-scheduler-dlq`);
      assert.equal(redrive.code, 0, redrive.output);
      assert.match(redrive.output, new RegExp(`moved .+ \\(QuestionDue ${event.id}, family ${event.familyId}\\)`));
      await eventually(() => handled.includes(event.id), { message: 'the scheduler consumer handled it again' });
    } finally {
      await consumer.stop();
    }
    assert.ok(await isQueueIdle(clients.sqs, topology.queues.scheduler.deadLetterQueueUrl));
  });

  test('when the queue or the command is unknown, then it exits 2 naming the queues or the usage', async () => {
    const unknownQueue = await run('show', 'no-such-queue');
    assert.equal(unknownQueue.code, 2);
    assert.match(unknownQueue.output, /unknown queue "no-such-queue"/);
    assert.ok(
      unknownQueue.output.includes(`notifier: ${prefix}-events-notifier (dead letters: ${prefix}-events-notifier-dlq)`),
    );

    const unknownCommand = await run('purge', 'answer');
    assert.equal(unknownCommand.code, 2);
    assert.match(unknownCommand.output, /unknown command "purge"[\s\S]*usage: npm run dlq/);
  });

  test('when --limit is not a whole number, then it exits 2 with one line naming the option, before reaching SQS', async () => {
    for (const limit of ['0', 'ten', '2.5']) {
      const refused = await run('show', 'answer', '--limit', limit);
      assert.equal(refused.code, 2, limit);
      assert.equal(refused.output.trim(), `dlq: --limit must be a whole number of at least 1, not ${limit}`);
    }
  });
});
