import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MatchersV3 as M } from '@pact-foundation/pact';
import { consumerPact } from '../../../../contracts/support/pact-files.ts';
import {
  answering,
  examples,
  fromState,
  gatewayWith,
  internalHeaders,
  problem,
  serviceAt,
  uuid,
} from './gateway-under-pact.ts';

// What the gateway expects of the projection's internal API (contracts/gateway-projection.json):
// a question's progress, which it joins with the answer service's current question.
const { pact, matchesCommittedPact } = consumerPact('gateway', 'projection');
const parent = 'uid-parent';

/** The answer service's side of the current question, stubbed: it is another pact's business. */
const currentQuestion = answering({
  questionId: examples.questionId,
  localDate: '2026-11-25',
  text: 'What was the funniest moment of your day?',
  openedAt: '2026-11-25T11:00:00.000Z',
  requiredMemberIds: [examples.memberId],
  answers: [],
});

describe('the gateway as a consumer of the projection', () => {
  it('when a member reads the current question, then who has answered and whether all have come from the projection', () =>
    pact
      .addInteraction()
      .given('a question one of two members has answered')
      .uponReceiving('a request for the progress of a question')
      .withRequest('GET', fromState('/internal/families/:familyId/questions/:questionId/progress'), (request) =>
        request.headers(internalHeaders(parent)),
      )
      .willRespondWith(200, (response) =>
        response.jsonBody({ answeredBy: M.eachLike(uuid(examples.memberId)), complete: M.boolean(false) }),
      )
      .executeTest(async (mock) => {
        const gateway = gatewayWith({ answer: currentQuestion, projection: serviceAt(mock.url) });

        const response = await gateway(parent, 'GET', `/v1/families/${examples.familyId}/questions/current`);

        assert.equal(response.status, 200);
        const current = (await response.json()) as { answeredBy: string[]; complete: boolean };
        assert.deepEqual(current.answeredBy, [examples.memberId]);
        assert.equal(current.complete, false);
      }));

  it('when the projection has not seen the question yet, then 404 and the gateway says nobody has answered', () =>
    pact
      .addInteraction()
      .uponReceiving('a request for the progress of a question the projection has not seen')
      .withRequest(
        'GET',
        `/internal/families/${examples.familyId}/questions/${examples.questionId}/progress`,
        (request) => request.headers(internalHeaders(parent)),
      )
      .willRespondWith(404, (response) =>
        response.headers({ 'Content-Type': 'application/problem+json' }).jsonBody(problem(404)),
      )
      .executeTest(async (mock) => {
        const gateway = gatewayWith({ answer: currentQuestion, projection: serviceAt(mock.url) });

        const response = await gateway(parent, 'GET', `/v1/families/${examples.familyId}/questions/current`);

        assert.equal(response.status, 200);
        const current = (await response.json()) as { answeredBy: string[]; complete: boolean };
        assert.deepEqual(current.answeredBy, []);
        assert.equal(current.complete, false);
      }));

  it('when every interaction has run, then the pact equals the committed one', () => matchesCommittedPact());
});
