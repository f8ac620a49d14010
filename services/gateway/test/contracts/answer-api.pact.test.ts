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
  problem,
  serviceAt,
  serviceHeaders,
  uuid,
} from './gateway-under-pact.ts';

// What the gateway expects of the answer service's internal API (contracts/gateway-answer.json).
// Each interaction runs the gateway's own route for the app's request against Pact's mock
// of the answer service; provider states create the family, member or question on the
// provider's side and hand their ids over (`fromState`).
const { pact, matchesCommittedPact } = consumerPact('gateway', 'answer');
const parent = 'uid-parent';
const child = 'uid-child';
const stranger = 'uid-stranger';
const familyPath = (rest = '') => fromState(`/internal/families/:familyId${rest}`);
const familyId = fromState(':familyId');
const schedule = {
  timezone: M.like('Asia/Seoul'),
  pushTime: M.regex('^([01]\\d|2[0-3]):[0-5]\\d$', '20:00'),
  reminderOffsetMinutes: M.integer(180),
};
const quietHours = { start: M.like('22:00'), end: M.like('08:00') };
const member = { role: 'parent', displayName: 'Dad', locale: 'ko' };

describe('the gateway as a consumer of the answer service', () => {
  it('when a parent creates a family, then the family, its invite code and the founder’s member id come back', () =>
    pact
      .addInteraction()
      .uponReceiving('a request to create a family')
      .withRequest('POST', '/internal/families', (request) =>
        request
          .headers(internalHeaders(parent, { json: true }))
          .jsonBody({ name: M.like('Parks'), timezone: M.like('Asia/Seoul'), pushTime: M.like('20:00'), member }),
      )
      .willRespondWith(201, (response) =>
        response.jsonBody({
          familyId: uuid(examples.familyId),
          inviteCode: M.regex('^[A-Z0-9]{8}$', examples.inviteCode),
          memberId: uuid(examples.memberId),
        }),
      )
      .executeTest(async (mock) => {
        const gateway = gatewayWith({ answer: serviceAt(mock.url) });
        const response = await gateway(parent, 'POST', '/v1/families', {
          name: 'Parks',
          timezone: 'Asia/Seoul',
          pushTime: '20:00',
          member,
        });
        assert.equal(response.status, 201);
        const created = (await response.json()) as Record<string, unknown>;
        assert.deepEqual(Object.keys(created).sort(), ['familyId', 'inviteCode', 'memberId']);
      }));

  it('when a child joins with the invite code, then the family and the child’s member id come back', () =>
    pact
      .addInteraction()
      .given('a family with a parent', { parentUid: parent })
      .uponReceiving('a request to join a family by its invite code')
      .withRequest('POST', '/internal/families/join', (request) =>
        request.headers(internalHeaders(child, { json: true })).jsonBody({
          inviteCode: fromState(':inviteCode'),
          member: { role: 'child', displayName: M.like('Min'), locale: 'en' },
        }),
      )
      .willRespondWith(201, (response) => response.jsonBody({ familyId, memberId: uuid(examples.memberId) }))
      .executeTest(async (mock) => {
        const gateway = gatewayWith({ answer: serviceAt(mock.url) });
        const response = await gateway(child, 'POST', '/v1/families/join', {
          inviteCode: examples.inviteCode.toLowerCase(),
          member: { role: 'child', displayName: 'Min', locale: 'en' },
        });
        assert.equal(response.status, 201);
        assert.equal(((await response.json()) as { familyId: string }).familyId, examples.familyId);
      }));

  it('when a member asks for their family, then its schedule and members come back', () =>
    pact
      .addInteraction()
      .given('a family with a parent', { parentUid: parent })
      .uponReceiving('a request for a family by one of its members')
      .withRequest('GET', familyPath(), (request) => request.headers(internalHeaders(parent)))
      .willRespondWith(200, (response) =>
        response.jsonBody({
          familyId,
          name: M.like('Parks'),
          ...schedule,
          quietHours,
          members: M.eachLike({
            memberId: uuid(examples.memberId),
            role: M.regex('^(parent|child)$', 'parent'),
            displayName: M.like('Dad'),
          }),
        }),
      )
      .executeTest(async (mock) => {
        const gateway = gatewayWith({ answer: serviceAt(mock.url) });
        const response = await gateway(parent, 'GET', `/v1/families/${examples.familyId}`);
        assert.equal(response.status, 200);
        assert.equal(((await response.json()) as { members: unknown[] }).members.length, 1);
      }));

  it('when someone outside the family asks for it, then it does not exist for them (404 problem)', () =>
    pact
      .addInteraction()
      .given('a family with a parent', { parentUid: parent })
      .uponReceiving('a request for a family by someone outside it')
      .withRequest('GET', familyPath(), (request) => request.headers(internalHeaders(stranger)))
      .willRespondWith(404, (response) =>
        response.headers({ 'Content-Type': 'application/problem+json' }).jsonBody(problem(404)),
      )
      .executeTest(async (mock) => {
        const gateway = gatewayWith({ answer: serviceAt(mock.url) });
        const response = await gateway(stranger, 'GET', `/v1/families/${examples.familyId}`);
        assert.equal(response.status, 404);
        assert.equal(response.headers.get('content-type'), 'application/problem+json');
      }));

  it('when a member reads the family’s notifications, then their membership is checked first', () =>
    pact
      .addInteraction()
      .given('a family with a parent', { parentUid: parent })
      .uponReceiving('a request for the caller’s membership of a family')
      .withRequest('GET', familyPath('/membership'), (request) => request.headers(internalHeaders(parent)))
      .willRespondWith(200, (response) =>
        response.jsonBody({ familyId, memberId: uuid(examples.memberId), role: M.regex('^(parent|child)$', 'parent') }),
      )
      .executeTest(async (mock) => {
        const gateway = gatewayWith({ answer: serviceAt(mock.url), notifier: answering({ items: [] }) });
        const response = await gateway(parent, 'GET', `/v1/families/${examples.familyId}/notifications`);
        assert.equal(response.status, 200);
      }));

  it('when a parent changes the schedule, then the new schedule comes back', () =>
    pact
      .addInteraction()
      .given('a family with a parent', { parentUid: parent })
      .uponReceiving('a request by a parent to change the schedule')
      .withRequest('PUT', familyPath('/schedule'), (request) =>
        request.headers(internalHeaders(parent, { json: true })).jsonBody({
          pushTime: M.like('07:30'),
          timezone: M.like('Europe/London'),
          quietHours: null,
          reminderOffsetMinutes: M.integer(120),
        }),
      )
      .willRespondWith(200, (response) => response.jsonBody({ familyId, ...schedule, quietHours: null }))
      .executeTest(async (mock) => {
        const gateway = gatewayWith({ answer: serviceAt(mock.url) });
        const response = await gateway(parent, 'PUT', `/v1/families/${examples.familyId}/schedule`, {
          pushTime: '07:30',
          timezone: 'Europe/London',
          quietHours: null,
          reminderOffsetMinutes: 120,
        });
        assert.equal(response.status, 200);
      }));

  it('when a child tries to change the schedule, then 403 problem', () =>
    pact
      .addInteraction()
      .given('a family with a parent and a child', { parentUid: parent, childUid: child })
      .uponReceiving('a request by a child to change the schedule')
      .withRequest('PUT', familyPath('/schedule'), (request) =>
        request
          .headers(internalHeaders(child, { json: true }))
          .jsonBody({ pushTime: M.like('07:30'), timezone: M.like('Europe/London'), quietHours: null }),
      )
      .willRespondWith(403, (response) =>
        response.headers({ 'Content-Type': 'application/problem+json' }).jsonBody(problem(403)),
      )
      .executeTest(async (mock) => {
        const gateway = gatewayWith({ answer: serviceAt(mock.url) });
        const response = await gateway(child, 'PUT', `/v1/families/${examples.familyId}/schedule`, {
          pushTime: '07:30',
          timezone: 'Europe/London',
          quietHours: null,
        });
        assert.equal(response.status, 403);
      }));

  it('when a member who has answered reads the current question, then its text and the answers come back', () =>
    pact
      .addInteraction()
      .given('a question the caller has answered', { uid: parent })
      .uponReceiving('a request for the current question by a member who has answered it')
      .withRequest('GET', familyPath('/questions/current'), (request) => request.headers(internalHeaders(parent)))
      .willRespondWith(200, (response) =>
        response.jsonBody({
          questionId: fromState(':questionId'),
          localDate: M.regex('^\\d{4}-\\d{2}-\\d{2}$', '2026-11-25'),
          text: M.like('What was the funniest moment of your day?'),
          openedAt: instant('2026-11-25T11:00:00.000Z'),
          answers: M.eachLike({
            memberId: uuid(examples.memberId),
            text: M.like('Pizza'),
            answeredAt: instant('2026-11-25T11:30:00.000Z'),
          }),
        }),
      )
      .executeTest(async (mock) => {
        const gateway = gatewayWith({
          answer: serviceAt(mock.url),
          projection: answering({ answeredBy: [examples.memberId], complete: true }),
        });
        const response = await gateway(parent, 'GET', `/v1/families/${examples.familyId}/questions/current`);
        assert.equal(response.status, 200);
        const current = (await response.json()) as { questionId: string; answers: unknown[] };
        assert.equal(current.questionId, examples.questionId);
        assert.equal(current.answers.length, 1);
      }));

  it('when a member answers the open question, then it is handed over in a batch and 201 comes back', () =>
    pact
      .addInteraction()
      .given('a question open in a family', { uid: parent })
      .uponReceiving('a batch of answers to the open question')
      .withRequest('POST', '/internal/answers', (request) =>
        request.headers(serviceHeaders({ json: true })).jsonBody({
          answers: [
            {
              familyId,
              questionId: fromState(':questionId'),
              uid: parent,
              correlationId: M.like('0190b5a0-0000-7000-8000-00000000c001'),
              text: M.like('Pizza'),
            },
          ],
        }),
      )
      .willRespondWith(200, (response) =>
        response.jsonBody({
          outcomes: [{ status: 201, body: { questionId: uuid(examples.questionId), text: M.like('Pizza') } }],
        }),
      )
      .executeTest(async (mock) => {
        const gateway = gatewayWith({ answer: serviceAt(mock.url) });
        const response = await gateway(
          parent,
          'PUT',
          `/v1/families/${examples.familyId}/questions/${examples.questionId}/answer`,
          { text: 'Pizza' },
        );
        assert.equal(response.status, 201);
        assert.deepEqual(await response.json(), { questionId: examples.questionId, text: 'Pizza' });
      }));

  it('when every interaction has run, then the pact equals the committed one', () => matchesCommittedPact());
});
