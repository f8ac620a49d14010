import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { acceptAtEdge, eventPact } from '../../../../contracts/support/event-messages.ts';
import { notifierRoutes } from '../../src/service.ts';
import { createTestHandler, type TestHandler } from '../support/create-test-handler.ts';

// What the notifier expects of the answer service's events (contracts/notifier-answer.json),
// each interaction checked by running the notifier's own edge and handler on its example.
const pact = eventPact('notifier', 'answer');
let notifier: TestHandler;

before(async () => {
  notifier = await createTestHandler();
});
after(() => notifier?.close());

const recipient = (familyId: string, memberId: string) =>
  notifier.database.db
    .selectFrom('recipients')
    .select(['uid', 'locale', 'active', 'left'])
    .where('family_id', '=', familyId)
    .where('member_id', '=', memberId)
    .executeTakeFirst();

describe('the notifier as a consumer of the answer service', () => {
  it('when MemberJoined arrives, then the member becomes a recipient in their locale', () =>
    pact.expect('MemberJoined').executeTest(async (message) => {
      const event = acceptAtEdge(message);
      assert.equal(event.type, 'MemberJoined');

      await notifier.handle(event);

      const { uid, locale } = event.data;
      assert.deepEqual(await recipient(event.familyId, event.data.memberId), {
        uid,
        locale,
        active: true,
        left: false,
      });
    }));

  it('when MemberLeft arrives, then the member no longer receives pushes', () =>
    pact.expect('MemberLeft').executeTest(async (message) => {
      const event = acceptAtEdge(message);
      assert.equal(event.type, 'MemberLeft');

      await notifier.handle(event);

      const left = await recipient(event.familyId, event.data.memberId);
      assert.equal(left?.active, false);
      assert.equal(left?.left, true);
    }));

  it('when MemberPreferencesChanged arrives, then the member’s locale and muted kinds are recorded', () =>
    pact.expect('MemberPreferencesChanged').executeTest(async (message) => {
      const event = acceptAtEdge(message);
      assert.equal(event.type, 'MemberPreferencesChanged');

      await notifier.handle(event);

      const recorded = await notifier.database.db
        .selectFrom('recipients')
        .select(['locale', 'muted_kinds'])
        .where('family_id', '=', event.familyId)
        .where('member_id', '=', event.data.memberId)
        .executeTakeFirst();
      assert.deepEqual(recorded, { locale: event.data.locale, muted_kinds: event.data.mutedKinds });
    }));

  it('when QuestionOpened arrives, then the family’s question notification is logged', () =>
    pact.expect('QuestionOpened').executeTest(async (message) => {
      const event = acceptAtEdge(message);
      assert.equal(event.type, 'QuestionOpened');

      await notifier.handle(event);

      const response = await notifierRoutes({ database: notifier.database, clock: () => new Date() }).request(
        `/families/${event.familyId}/notifications`,
      );
      const { items } = (await response.json()) as { items: Array<{ kind: string; questionId: string }> };
      assert.ok(items.some((item) => item.kind === 'question' && item.questionId === event.data.questionId));
    }));

  it('when QuestionRescheduled arrives, then the question’s push is due at its new instant', () =>
    pact.expect('QuestionRescheduled').executeTest(async (message) => {
      const event = acceptAtEdge(message);
      assert.equal(event.type, 'QuestionRescheduled');
      // The examples share a question and an occurredAt: this one starts from a question the
      // notifier has not seen (the QuestionOpened example would be as recent as it).
      await notifier.database.db.deleteFrom('questions').where('question_id', '=', event.data.questionId).execute();

      await notifier.handle(event);

      const question = await notifier.database.db
        .selectFrom('questions')
        .select('opens_at')
        .where('family_id', '=', event.familyId)
        .where('question_id', '=', event.data.questionId)
        .executeTakeFirst();
      assert.equal(question?.opens_at?.toISOString(), new Date(event.data.openedAt).toISOString());
    }));

  it('when AnswerSubmitted arrives, then the member’s answer is kept, so that a reminder prepared ahead is not sent to them', () =>
    pact.expect('AnswerSubmitted').executeTest(async (message) => {
      const event = acceptAtEdge(message);
      assert.equal(event.type, 'AnswerSubmitted');

      await notifier.handle(event);

      const answer = await notifier.database.db
        .selectFrom('answers')
        .select('answered_at')
        .where('family_id', '=', event.familyId)
        .where('question_id', '=', event.data.questionId)
        .where('member_id', '=', event.data.memberId)
        .executeTakeFirst();
      assert.equal(answer?.answered_at.toISOString(), new Date(event.data.answeredAt).toISOString());
    }));

  it('when every interaction has run, then they cover the topology and equal the committed pact', () =>
    pact.coversTopologyAndMatchesCommittedPact());
});
