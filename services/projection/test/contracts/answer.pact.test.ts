import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDatabase, type Database, migrateToLatest } from '@haru/db';
import { serviceTokenHeader } from '@haru/http';
import { createTestDatabase } from '@haru/testing';
import { MatchersV3 as M } from '@pact-foundation/pact';
import { acceptAtEdge, eventPact, eventTemplate } from '../../../../contracts/support/event-messages.ts';
import { applyToCompletion } from '../../src/completion/completion-handler.ts';
import { type ProjectionDatabase, schema } from '../../src/database.ts';
import { migrations } from '../../src/migrations/index.ts';
import { eventFeed } from '../../src/replay/event-feed.ts';

// What the projection expects of the answer service (contracts/projection-answer.json): its
// events, each checked by running the projection's own edge and handler on the example, and
// its event feed, which the projection replays to rebuild or verify its model.
const pact = eventPact('projection', 'answer');
let database: Database<ProjectionDatabase>;

before(async () => {
  database = createDatabase<ProjectionDatabase>({ url: await createTestDatabase(), schema, poolSize: 2 });
  await migrateToLatest(database.db, schema, migrations);
});
after(() => database?.close());

const handled = async (eventId: string) =>
  Boolean(
    await database.db.selectFrom('inbox').select('message_id').where('message_id', '=', eventId).executeTakeFirst(),
  );

describe('the projection as a consumer of the answer service', () => {
  it('when FamilyCreated arrives, then the projection handles it (it adds nothing to completion)', () =>
    pact.expect('FamilyCreated').executeTest(async (message) => {
      const event = acceptAtEdge(message);

      await applyToCompletion(database.db, event, new Date());

      assert.ok(await handled(event.id));
    }));

  it('when MemberJoined arrives, then the projection handles it (a late joiner never blocks completion)', () =>
    pact.expect('MemberJoined').executeTest(async (message) => {
      const event = acceptAtEdge(message);

      await applyToCompletion(database.db, event, new Date());

      assert.ok(await handled(event.id));
    }));

  it('when QuestionOpened arrives, then the question’s progress records who must answer', () =>
    pact.expect('QuestionOpened').executeTest(async (message) => {
      const event = acceptAtEdge(message);
      assert.equal(event.type, 'QuestionOpened');

      await applyToCompletion(database.db, event, new Date());

      const progress = await database.db
        .selectFrom('question_progress')
        .select(['required_member_ids', 'local_date'])
        .where('family_id', '=', event.familyId)
        .where('question_id', '=', event.data.questionId)
        .executeTakeFirstOrThrow();
      assert.deepEqual(progress.required_member_ids, event.data.requiredMemberIds);
    }));

  it('when AnswerSubmitted arrives, then the answer is recorded for its question', () =>
    pact.expect('AnswerSubmitted').executeTest(async (message) => {
      const event = acceptAtEdge(message);
      assert.equal(event.type, 'AnswerSubmitted');

      await applyToCompletion(database.db, event, new Date());

      const answer = await database.db
        .selectFrom('answers')
        .select('answered_at')
        .where('family_id', '=', event.familyId)
        .where('question_id', '=', event.data.questionId)
        .where('member_id', '=', event.data.memberId)
        .executeTakeFirstOrThrow();
      assert.equal(answer.answered_at.toISOString(), new Date(event.data.answeredAt).toISOString());
    }));

  it('when MemberLeft arrives, then the member is recorded as departed', () =>
    pact.expect('MemberLeft').executeTest(async (message) => {
      const event = acceptAtEdge(message);
      assert.equal(event.type, 'MemberLeft');

      await applyToCompletion(database.db, event, new Date());

      const departed = await database.db
        .selectFrom('departed_members')
        .select('member_id')
        .where('family_id', '=', event.familyId)
        .where('member_id', '=', event.data.memberId)
        .executeTakeFirst();
      assert.ok(departed);
    }));

  it('when the projection reads the event feed, then it gets published events in order with the paging cursors', () =>
    pact.pact
      .addInteraction()
      .given('a family was created')
      .uponReceiving('a request for the first page of the event feed')
      .withRequest('GET', '/internal/events', (request) =>
        request
          .query({ after: '0', limit: '100' })
          .headers({ [serviceTokenHeader]: M.like('projection-service-token-in-pacts') }),
      )
      .willRespondWith(200, (response) =>
        response.jsonBody({
          // Other events may come first; these two must be there, each with its position.
          events: M.arrayContaining(
            { position: M.integer(1), ...eventTemplate('FamilyCreated') },
            { position: M.integer(2), ...eventTemplate('MemberJoined') },
          ),
          nextAfter: M.integer(2),
          horizon: M.regex('^\\d+$', '1000'),
          frontier: M.regex('^\\d+$', '1001'),
        }),
      )
      .executeTest(async (mock) => {
        const feed = eventFeed({ answerUrl: mock.url, internalApiToken: 'projection-service-token-in-pacts' });

        const page = await feed.read(0, 100);

        assert.deepEqual(
          page.events.map((event) => event.type),
          ['FamilyCreated', 'MemberJoined'],
        );
        assert.equal(page.nextAfter, 2);
        assert.ok(page.frontier >= page.horizon);
      }));

  it('when every interaction has run, then they cover the topology and equal the committed pact', () =>
    pact.coversTopologyAndMatchesCommittedPact());
});
