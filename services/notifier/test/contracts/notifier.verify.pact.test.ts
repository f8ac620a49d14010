import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createEvent, type DomainEvent } from '@haru/contracts';
import { serviceTokenHeader } from '@haru/http';
import { eventually, publishEvent, serviceTestEnvironment } from '@haru/testing';
import { presentingCredential, verifyPact } from '../../../../contracts/support/pact-files.ts';
import { loadServiceConfig } from '../../src/config.ts';
import { schema } from '../../src/database.ts';
import { migrations } from '../../src/migrations/index.ts';
import { startService } from '../../src/service.ts';

// The notifier verifies what the gateway expects of its internal API
// (contracts/gateway-notifier.json), running in-process and pushing through firebase-admin
// to the test stack's FCM endpoint. States are set up as in production: member events
// arrive on the topic, devices through the internal API.
let environment: Awaited<ReturnType<typeof serviceTestEnvironment>>;
let service: Awaited<ReturnType<typeof startService>>;

before(async () => {
  environment = await serviceTestEnvironment('notifier', { schema, migrations });
  service = await startService(loadServiceConfig(environment.env), { waitTimeSeconds: 1 });
});
after(() => service?.stop());

const internal = (path: string, init: RequestInit = {}) =>
  fetch(`${service.url}/internal${path}`, {
    ...init,
    headers: { [serviceTokenHeader]: environment.internalApiToken, 'content-type': 'application/json' },
  });

const registerDevice = async (uid: string, token: string) => {
  const response = await internal(`/devices/${token}`, {
    method: 'PUT',
    body: JSON.stringify({ uid, platform: 'android' }),
  });
  if (response.status !== 204) throw new Error(`registering ${token} answered ${response.status}`);
};

const publish = (event: DomainEvent) => publishEvent(environment.topic, event);

const stateHandlers = {
  'a device registered to the caller': {
    setup: async (params: unknown) => {
      const { uid, token } = params as { uid: string; token: string };
      await registerDevice(uid, token);
    },
  },
  'a family whose question was pushed to a member': {
    setup: async () => {
      const familyId = randomUUID();
      const memberId = randomUUID();
      const uid = `uid-${randomUUID()}`;
      const context = () => ({ occurredAt: new Date(), correlationId: randomUUID(), causationId: randomUUID() });
      await registerDevice(uid, `tok-${randomUUID()}`);
      await publish(
        createEvent(
          'MemberJoined',
          familyId,
          { memberId, uid, role: 'parent', displayName: 'Dad', locale: 'ko' },
          context(),
        ),
      );
      // The push goes to recipients known when the question opens.
      await eventually(
        () =>
          service.database.db
            .selectFrom('recipients')
            .select('member_id')
            .where('family_id', '=', familyId)
            .executeTakeFirst(),
        { timeoutMs: 30_000, message: 'the member becoming a recipient' },
      );
      await publish(
        createEvent(
          'QuestionOpened',
          familyId,
          {
            questionId: randomUUID(),
            localDate: '2026-11-25',
            text: { ko: '질문', en: 'Question' },
            openedAt: new Date().toISOString(),
            requiredMemberIds: [memberId],
          },
          context(),
        ),
      );
      await eventually(
        async () => {
          const response = await internal(`/families/${familyId}/notifications`);
          const { items } = (await response.json()) as { items: Array<{ deliveries: unknown[] }> };
          return items[0]?.deliveries.length === 1;
        },
        { timeoutMs: 30_000, message: 'the question’s push being logged' },
      );
      return { familyId };
    },
  },
};

describe('the notifier as a provider', () => {
  it('when the gateway’s pact is verified against the internal API, then every interaction passes', () =>
    verifyPact('gateway', 'notifier', {
      providerBaseUrl: service.url,
      stateHandlers,
      requestFilter: presentingCredential(serviceTokenHeader, environment.internalApiToken),
    }));
});
