import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MatchersV3 as M } from '@pact-foundation/pact';
import { consumerPact } from '../../../../contracts/support/pact-files.ts';
import {
  answering,
  examples,
  fromState,
  gatewayWith,
  instant,
  internalHeaders,
  serviceAt,
  uuid,
} from './gateway-under-pact.ts';

// What the gateway expects of the notifier's internal API (contracts/gateway-notifier.json):
// the caller's devices and a family's delivery log.
const { pact, matchesCommittedPact } = consumerPact('gateway', 'notifier');
const member = 'uid-parent';
const deviceToken = 'device-token-in-pacts';

describe('the gateway as a consumer of the notifier', () => {
  it('when a member registers a device, then the notifier records it for the member (204)', () =>
    pact
      .addInteraction()
      .uponReceiving('a request to register a device')
      .withRequest('PUT', `/internal/devices/${deviceToken}`, (request) =>
        request
          .headers(internalHeaders(member, { json: true }))
          .jsonBody({ uid: member, platform: M.regex('^(android|ios|web)$', 'android') }),
      )
      .willRespondWith(204)
      .executeTest(async (mock) => {
        const gateway = gatewayWith({ notifier: serviceAt(mock.url) });

        const response = await gateway(member, 'PUT', `/v1/me/devices/${deviceToken}`, { platform: 'android' });

        assert.equal(response.status, 204);
      }));

  it('when a member removes their device, then 204', () =>
    pact
      .addInteraction()
      .given('a device registered to the caller', { uid: member, token: deviceToken })
      .uponReceiving('a request to remove a device')
      .withRequest('DELETE', `/internal/devices/${deviceToken}`, (request) =>
        request.query({ uid: member }).headers(internalHeaders(member)),
      )
      .willRespondWith(204)
      .executeTest(async (mock) => {
        const gateway = gatewayWith({ notifier: serviceAt(mock.url) });

        const response = await gateway(member, 'DELETE', `/v1/me/devices/${deviceToken}`);

        assert.equal(response.status, 204);
      }));

  it('when a member reads the family’s notifications, then each push comes with every member’s delivery status', () =>
    pact
      .addInteraction()
      .given('a family whose question was pushed to a member')
      .uponReceiving('a request for a family’s notifications')
      .withRequest('GET', fromState('/internal/families/:familyId/notifications'), (request) =>
        request.headers(internalHeaders(member)),
      )
      .willRespondWith(200, (response) =>
        response.jsonBody({
          items: M.eachLike({
            notificationId: uuid('0190b5a0-0000-7000-8000-00000000d001'),
            kind: M.regex('^(question|complete|reminder)$', 'question'),
            questionId: uuid(examples.questionId),
            createdAt: instant('2026-11-25T10:55:02.000Z'),
            dueAt: instant('2026-11-25T11:00:00.000Z'),
            deliveries: M.eachLike({
              memberId: uuid(examples.memberId),
              status: M.regex('^(sent|pending|failed|invalid)$', 'sent'),
            }),
          }),
        }),
      )
      .executeTest(async (mock) => {
        const gateway = gatewayWith({
          answer: answering({ familyId: examples.familyId, memberId: examples.memberId, role: 'parent' }),
          notifier: serviceAt(mock.url),
        });

        const response = await gateway(member, 'GET', `/v1/families/${examples.familyId}/notifications`);

        assert.equal(response.status, 200);
        const { items } = (await response.json()) as { items: Array<{ deliveries: unknown[] }> };
        assert.equal(items[0]?.deliveries.length, 1);
      }));

  it('when every interaction has run, then the pact equals the committed one', () => matchesCommittedPact());
});
