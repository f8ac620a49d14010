import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { createEvent, type DomainEvent, type EventContext } from '@haru/contracts';
import { eventually, publishEvent, type QueueReader, readQueue, serviceTestEnvironment } from '@haru/testing';
import { loadServiceConfig } from '../config.ts';
import { schema } from '../database.ts';
import { migrations } from '../migrations/index.ts';
import { startService } from '../service.ts';

let environment: Awaited<ReturnType<typeof serviceTestEnvironment>>;

before(async () => {
  environment = await serviceTestEnvironment('projection', { schema, migrations });
});

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

describe('completion read model', () => {
  test("when the events travel through SNS/SQS, then the scheduler's queue gets FamilyQuestionCompleted once", async () => {
    const service = await startService(loadServiceConfig(environment.env), { waitTimeSeconds: 1 });
    const schedulerQueue: QueueReader = readQueue(
      environment.clients.sqs,
      environment.topology.queues.scheduler.queueUrl,
    );
    try {
      const { familyId, questionId, events } = aDay();
      for (const event of [...events, ...events]) {
        await publishEvent(environment.topic, event);
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

      const recent = await fetch(`${service.url}/internal/families/${familyId}/questions?limit=5`, {
        headers: { 'x-haru-service-token': environment.internalApiToken },
      });
      assert.deepEqual(await recent.json(), {
        familyId,
        questions: [
          {
            questionId,
            localDate: '2026-11-25',
            openedAt: '2026-11-25T11:00:00.000Z',
            complete: true,
            completedAt: '2026-11-25T11:09:00.000Z',
          },
        ],
      });
    } finally {
      await service.stop();
    }
  });
});
