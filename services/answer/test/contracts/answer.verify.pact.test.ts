import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { callerUidHeader, type EventType } from '@haru/contracts';
import { serviceTokenHeader } from '@haru/http';
import type { ConsumerName } from '@haru/messaging';
import {
  answerThrough,
  eventually,
  internalApi,
  publishQuestionDue,
  questionOpened,
  serviceTestEnvironment,
} from '@haru/testing';
import { eventsFrom } from '../../../../contracts/support/event-messages.ts';
import {
  type DeliveredEvent,
  messageProviders,
  renamingField,
  tapQueue,
} from '../../../../contracts/support/event-producers.ts';
import { presentingCredential, verifyPact } from '../../../../contracts/support/pact-files.ts';
import { loadServiceConfig } from '../../src/config.ts';
import { schema } from '../../src/database.ts';
import { migrations } from '../../src/migrations/index.ts';
import { startService } from '../../src/service.ts';

// The answer service verifies what its consumers expect of it (contracts/*-answer.json): the
// gateway's calls against its internal API, and the projection's, scheduler's and
// notifier's events, each produced by the running service and taken from that consumer's
// queue as SNS delivered it.
let environment: Awaited<ReturnType<typeof serviceTestEnvironment>>;
let service: Awaited<ReturnType<typeof startService>>;

before(async () => {
  environment = await serviceTestEnvironment('answer', { schema, migrations });
  service = await startService(loadServiceConfig(environment.env), { waitTimeSeconds: 1 });
});
after(() => service?.stop());

/** Calls the internal API as the gateway does. */
async function call<Body = Record<string, string>>(uid: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${service.url}/internal${path}`, {
    method,
    headers: {
      [serviceTokenHeader]: environment.internalApiToken,
      [callerUidHeader]: uid,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path} answered ${response.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as Body;
}

/** A member's answer, handed over as the gateway does (in a batch, here of one). */
async function submitAnswer(uid: string, answer: { familyId: string; questionId: string; text: string }) {
  const { status } = await answerThrough(internalApi(service.url, environment.internalApiToken))(uid, answer);
  assert.equal(status, 201);
}

const createFamily = (parentUid: string) =>
  call<{ familyId: string; inviteCode: string; memberId: string }>(parentUid, 'POST', '/families', {
    name: 'Parks',
    timezone: 'Asia/Seoul',
    pushTime: '20:00',
    member: { role: 'parent', displayName: 'Dad', locale: 'ko' },
  });

/** Opens the family's question as in production: the scheduler's QuestionDue arrives on the topic. */
async function openQuestion(familyId: string, uid: string): Promise<string> {
  await publishQuestionDue(environment.topic, familyId, '2026-11-25');
  const internal = internalApi(service.url, environment.internalApiToken);
  const current = await questionOpened(internal, uid, familyId, '2026-11-25', { timeoutMs: 30_000 });
  return current.questionId;
}

/** States of the HTTP interactions; each creates new data through the service's own API. */
const stateHandlers = {
  'a family was created': {
    setup: async () => {
      const { familyId } = await createFamily(`uid-${randomUUID()}`);
      // The feed serves a transaction's events once no older transaction is still running.
      await eventually(async () => {
        const page = await call<{ events: Array<{ familyId: string }> }>('', 'GET', '/events?after=0&limit=1000');
        return page.events.some((event) => event.familyId === familyId);
      });
    },
  },
  'a family with a parent': {
    setup: async (params: unknown) => {
      const { parentUid } = params as { parentUid: string };
      const { familyId, inviteCode } = await createFamily(parentUid);
      return { familyId, inviteCode };
    },
  },
  'a family with a parent and a child': {
    setup: async (params: unknown) => {
      const { parentUid, childUid } = params as { parentUid: string; childUid: string };
      const { familyId, inviteCode } = await createFamily(parentUid);
      await call(childUid, 'POST', '/families/join', {
        inviteCode,
        member: { role: 'child', displayName: 'Min', locale: 'en' },
      });
      return { familyId };
    },
  },
  'a question open in a family': {
    setup: async (params: unknown) => {
      const { uid } = params as { uid: string };
      const { familyId } = await createFamily(uid);
      return { familyId, questionId: await openQuestion(familyId, uid) };
    },
  },
  'a question the caller has answered': {
    setup: async (params: unknown) => {
      const { uid } = params as { uid: string };
      const { familyId } = await createFamily(uid);
      const questionId = await openQuestion(familyId, uid);
      await submitAnswer(uid, { familyId, questionId, text: 'Pizza' });
      return { familyId, questionId };
    },
  },
};

/**
 * How the running service comes to emit each event type; the event is then taken from
 * `consumer`'s queue.
 */
function producersFor(consumer: ConsumerName) {
  const queue = tapQueue(environment.clients.sqs, environment.topology.queues[consumer].queueUrl);
  const uid = () => `uid-${randomUUID()}`;
  const producers: { [Type in EventType]?: () => Promise<DeliveredEvent> } = {
    FamilyCreated: async () => queue.take('FamilyCreated', (await createFamily(uid())).familyId),
    MemberJoined: async () => queue.take('MemberJoined', (await createFamily(uid())).familyId),
    ScheduleChanged: async () => {
      const parent = uid();
      const { familyId } = await createFamily(parent);
      await call(parent, 'PUT', `/families/${familyId}/schedule`, {
        pushTime: '07:30',
        timezone: 'Europe/London',
        quietHours: { start: '21:00', end: '07:00' },
      });
      return queue.take('ScheduleChanged', familyId);
    },
    QuestionOpened: async () => {
      const parent = uid();
      const { familyId } = await createFamily(parent);
      await openQuestion(familyId, parent);
      return queue.take('QuestionOpened', familyId);
    },
    QuestionRescheduled: async () => {
      // A question announced ahead, then announced again at a later instant before the first
      // came (the scheduler's QuestionDue after a schedule change within the lead).
      const parent = uid();
      const { familyId } = await createFamily(parent);
      const inAnHour = new Date(Date.now() + 3600_000);
      await publishQuestionDue(environment.topic, familyId, '2026-11-25', randomUUID(), inAnHour);
      await queue.take('QuestionOpened', familyId);
      await publishQuestionDue(
        environment.topic,
        familyId,
        '2026-11-25',
        randomUUID(),
        new Date(inAnHour.getTime() + 3600_000),
      );
      return queue.take('QuestionRescheduled', familyId);
    },
    AnswerSubmitted: async () => {
      const parent = uid();
      const { familyId } = await createFamily(parent);
      const questionId = await openQuestion(familyId, parent);
      await submitAnswer(parent, { familyId, questionId, text: 'Pizza' });
      return queue.take('AnswerSubmitted', familyId);
    },
    MemberLeft: async () => {
      const { familyId, inviteCode } = await createFamily(uid());
      const child = uid();
      await call(child, 'POST', '/families/join', { inviteCode, member: { displayName: 'Min' } });
      await call(child, 'DELETE', `/families/${familyId}/members/me`);
      return queue.take('MemberLeft', familyId);
    },
    MemberPreferencesChanged: async () => {
      const parent = uid();
      const { familyId } = await createFamily(parent);
      await call(parent, 'PATCH', `/families/${familyId}/members/me`, { locale: 'en', mutedKinds: ['reminder'] });
      return queue.take('MemberPreferencesChanged', familyId);
    },
  };
  const needed = eventsFrom('answer', consumer);
  return Object.fromEntries(needed.map((type) => [type, producers[type]])) as typeof producers;
}

describe('the answer service as a provider', () => {
  for (const consumer of ['gateway', 'projection', 'scheduler', 'notifier'] as const) {
    it(`when the ${consumer}’s pact is verified against the running service, then every interaction passes`, () =>
      verifyPact(consumer, 'answer', {
        providerBaseUrl: service.url,
        stateHandlers,
        requestFilter: presentingCredential(serviceTokenHeader, environment.internalApiToken),
        messageProviders: consumer === 'gateway' ? {} : messageProviders(producersFor(consumer)),
      }));
  }

  it('when MemberJoined is emitted with a renamed field, then the projection’s pact fails verification', async () => {
    const producers = producersFor('projection');
    const { MemberJoined } = producers;
    assert.ok(MemberJoined);

    await assert.rejects(
      verifyPact(
        'projection',
        'answer',
        { messageProviders: messageProviders({ MemberJoined: renamingField(MemberJoined, 'memberId', 'memberID') }) },
        { only: 'a MemberJoined event' },
      ),
    );
  });
});
