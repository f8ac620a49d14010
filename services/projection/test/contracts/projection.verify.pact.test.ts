import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { callerUidHeader, createEvent, type DomainEvent } from '@haru/contracts';
import { serviceTokenHeader } from '@haru/http';
import { eventually, publishEvent, serviceTestEnvironment } from '@haru/testing';
import { messageProviders, tapQueue } from '../../../../contracts/support/event-producers.ts';
import { presentingCredential, verifyPact } from '../../../../contracts/support/pact-files.ts';
import { loadServiceConfig } from '../../src/config.ts';
import { schema } from '../../src/database.ts';
import { migrations } from '../../src/migrations/index.ts';
import { startService } from '../../src/service.ts';

// The projection verifies what its consumers expect of it (contracts/*-projection.json): the
// gateway's and the scheduler's calls against its internal API, and the scheduler's
// FamilyQuestionCompleted, produced by the running projection from the answer service's
// events (published to the topic as the answer service would) and taken from the
// scheduler's queue.
let environment: Awaited<ReturnType<typeof serviceTestEnvironment>>;
let service: Awaited<ReturnType<typeof startService>>;

before(async () => {
  environment = await serviceTestEnvironment('projection', { schema, migrations });
  service = await startService(loadServiceConfig(environment.env), { waitTimeSeconds: 1 });
});
after(() => service?.stop());

const publish = (event: DomainEvent) => publishEvent(environment.topic, event);

/** A family's question opens for `required` members, and `answering` of them answer. */
async function aQuestion(required: string[], answering: string[]) {
  const familyId = randomUUID();
  const questionId = randomUUID();
  const context = { occurredAt: new Date(), correlationId: randomUUID(), causationId: randomUUID() };
  const openedAt = new Date(Date.now() - 60_000).toISOString();
  await publish(
    createEvent(
      'QuestionOpened',
      familyId,
      {
        questionId,
        localDate: '2026-11-25',
        text: { ko: '질문', en: 'Question' },
        openedAt,
        requiredMemberIds: required,
      },
      context,
    ),
  );
  for (const memberId of answering) {
    await publish(
      createEvent('AnswerSubmitted', familyId, { questionId, memberId, answeredAt: new Date().toISOString() }, context),
    );
  }
  return { familyId, questionId };
}

const stateHandlers = {
  'a question one of two members has answered': {
    setup: async () => {
      const [answered, notYet] = [randomUUID(), randomUUID()];
      const { familyId, questionId } = await aQuestion([answered, notYet], [answered]);
      await eventually(
        async () => {
          const response = await fetch(
            `${service.url}/internal/families/${familyId}/questions/${questionId}/progress`,
            {
              headers: { [serviceTokenHeader]: environment.internalApiToken, [callerUidHeader]: 'uid-parent' },
            },
          );
          return response.ok && ((await response.json()) as { answeredBy: string[] }).answeredBy.length === 1;
        },
        { timeoutMs: 30_000, message: 'the answer reaching the projection' },
      );
      return { familyId, questionId };
    },
  },
};

describe('the projection as a provider', () => {
  it('when the gateway’s pact is verified against the internal API, then every interaction passes', () =>
    verifyPact('gateway', 'projection', {
      providerBaseUrl: service.url,
      stateHandlers,
      requestFilter: presentingCredential(serviceTokenHeader, environment.internalApiToken),
    }));

  it('when the scheduler’s pact is verified against the events the projection emits and its internal API, then every interaction passes', () => {
    const schedulerQueue = tapQueue(environment.clients.sqs, environment.topology.queues.scheduler.queueUrl);
    return verifyPact('scheduler', 'projection', {
      providerBaseUrl: service.url,
      stateHandlers,
      requestFilter: presentingCredential(serviceTokenHeader, environment.internalApiToken),
      messageProviders: messageProviders({
        FamilyQuestionCompleted: async () => {
          const member = randomUUID();
          const { familyId } = await aQuestion([member], [member]);
          return schedulerQueue.take('FamilyQuestionCompleted', familyId);
        },
      }),
    });
  });

  it('when the scheduler’s pact names an event the projection does not emit, then verification fails', async () => {
    await assert.rejects(
      verifyPact('scheduler', 'projection', { messageProviders: {} }, { only: 'a FamilyQuestionCompleted event' }),
    );
  });
});
