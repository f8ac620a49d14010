import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { PublishCommand } from '@aws-sdk/client-sns';
import { createEvent, type DomainEvent, type EventContext } from '@haru/contracts';
import { createDatabase } from '@haru/db';
import { eventually, type QueueReader, readQueue, serviceTestEnvironment } from '@haru/testing';
import fc from 'fast-check';
import { loadServiceConfig } from '../config.ts';
import { type ProjectionDatabase, schema } from '../database.ts';
import { migrations } from '../migrations/index.ts';
import { startService } from '../service.ts';
import { applyToCompletion } from './completion-handler.ts';

let environment: Awaited<ReturnType<typeof serviceTestEnvironment>>;
let database: ReturnType<typeof createDatabase<ProjectionDatabase>>;

before(async () => {
  environment = await serviceTestEnvironment('projection', { schema, migrations });
  database = createDatabase<ProjectionDatabase>({ url: environment.env.DATABASE_URL ?? '', schema });
});
after(() => database.close());

const context: EventContext = { occurredAt: new Date('2026-11-25T12:00:00Z'), correlationId: 'c', causationId: null };

/** A family's day: the question opens for three members; two answer, one leaves. */
function aDay() {
  const familyId = randomUUID();
  const questionId = randomUUID();
  const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
  const events: DomainEvent[] = [
    createEvent(
      'QuestionOpened',
      familyId,
      {
        questionId,
        localDate: '2026-11-25',
        text: { ko: '질문', en: 'Question' },
        openedAt: '2026-11-25T11:00:00.000Z',
        requiredMemberIds: [a, b, c],
      },
      context,
    ),
    createEvent(
      'AnswerSubmitted',
      familyId,
      { questionId, memberId: a, answeredAt: '2026-11-25T11:05:00.000Z' },
      context,
    ),
    createEvent(
      'AnswerSubmitted',
      familyId,
      { questionId, memberId: b, answeredAt: '2026-11-25T11:09:00.000Z' },
      context,
    ),
    { ...createEvent('MemberLeft', familyId, { memberId: c }, context), occurredAt: '2026-11-25T11:07:00.000Z' },
    createEvent(
      'MemberJoined',
      familyId,
      { memberId: randomUUID(), uid: 'late', role: 'child', displayName: 'Late', locale: 'en' },
      context,
    ),
  ];
  return { familyId, questionId, events };
}

const completions = (familyId: string) =>
  database.db
    .selectFrom('outbox')
    .select('envelope')
    .where('type', '=', 'FamilyQuestionCompleted')
    .execute()
    .then((rows) => rows.map((row) => row.envelope as DomainEvent).filter((event) => event.familyId === familyId));

describe('completion read model', () => {
  test("when a day's events arrive in any order and any of them twice, then it completes once, at the same instant", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }),
        async (seed, duplicated) => {
          const { familyId, questionId, events } = aDay();
          const deliveries = [...events, ...duplicated.map((index) => events[index] as DomainEvent)];
          const shuffled =
            fc.sample(fc.shuffledSubarray(deliveries, { minLength: deliveries.length }), { seed, numRuns: 1 })[0] ??
            deliveries;
          for (const event of shuffled) await applyToCompletion(database.db, event, new Date());
          const emitted = await completions(familyId);
          assert.equal(emitted.length, 1);
          assert.deepEqual(emitted[0]?.data, { questionId, completedAt: '2026-11-25T11:09:00.000Z' });
        },
      ),
      { numRuns: 40 },
    );
  });

  test("when the events travel through SNS/SQS, then the scheduler's queue gets FamilyQuestionCompleted once", async () => {
    const service = await startService(loadServiceConfig(environment.env), { waitTimeSeconds: 1 });
    const schedulerQueue: QueueReader = readQueue(
      environment.clients.sqs,
      environment.topology.queues.scheduler.queueUrl,
    );
    try {
      const { familyId, questionId, events } = aDay();
      for (const event of [...events, ...events]) {
        await environment.clients.sns.send(
          new PublishCommand({
            TopicArn: environment.topology.topicArn,
            Message: JSON.stringify(event),
            MessageAttributes: { type: { DataType: 'String', StringValue: event.type } },
          }),
        );
      }
      await eventually(async () => {
        await schedulerQueue.drain(1);
        return schedulerQueue.events('FamilyQuestionCompleted', familyId).length > 0;
      });
      const progress = await fetch(`${service.url}/internal/families/${familyId}/questions/${questionId}/progress`, {
        headers: { 'x-haru-service-token': environment.internalApiToken },
      });
      const body = (await progress.json()) as { complete: boolean; answeredBy: string[] };
      assert.equal(body.complete, true);
      assert.equal(body.answeredBy.length, 2);
      await schedulerQueue.drain(1);
      assert.equal(schedulerQueue.events('FamilyQuestionCompleted', familyId).length, 1);
    } finally {
      await service.stop();
    }
  });
});
