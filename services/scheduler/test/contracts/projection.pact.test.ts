import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDatabase, type Database, migrateToLatest } from '@haru/db';
import { serviceClient, serviceTokenHeader } from '@haru/http';
import { createTestDatabase } from '@haru/testing';
import { MatchersV3 as M } from '@pact-foundation/pact';
import { acceptAtEdge, eventPact, examples } from '../../../../contracts/support/event-messages.ts';
import { type SchedulerDatabase, schema } from '../../src/database.ts';
import { createEventHandler } from '../../src/handle-event.ts';
import { migrations } from '../../src/migrations/index.ts';
import { projectionAwaitedMembers, questionKey } from '../../src/question-pushes/awaited-members.ts';

// What the scheduler expects of the projection (contracts/scheduler-projection.json): its
// FamilyQuestionCompleted events, each checked by running the scheduler's own edge and
// handler on its example, and its answer to whom a question still awaits, asked by the
// scheduler's own client when a reminder comes due.
const pact = eventPact('scheduler', 'projection');
let database: Database<SchedulerDatabase>;

before(async () => {
  database = createDatabase<SchedulerDatabase>({ url: await createTestDatabase(), schema, poolSize: 2 });
  await migrateToLatest(database.db, schema, migrations);
});
after(() => database?.close());

const uuid = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
/** A value the projection's state handler supplies; the scheduler's test sees the example. */
const fromState = (name: 'familyId' | 'questionId') => M.fromProviderState(`\${${name}}`, examples[name]);

describe('the scheduler as a consumer of the projection', () => {
  it('when FamilyQuestionCompleted arrives, then the scheduler handles it once', () =>
    pact.expect('FamilyQuestionCompleted').executeTest(async (message) => {
      const event = acceptAtEdge(message);
      const handle = createEventHandler({
        db: database.db,
        now: () => new Date('2026-11-25T12:00:00Z'),
        leadMs: 300_000,
      });

      await handle(event);

      const handled = await database.db
        .selectFrom('inbox')
        .select('message_id')
        .where('message_id', '=', event.id)
        .executeTakeFirst();
      assert.ok(handled);
    }));

  it('when a reminder comes due, then the projection tells whom its question still awaits', () =>
    pact.pact
      .addInteraction()
      .given('a question one of two members has answered')
      .uponReceiving('a request for whom questions still await')
      .withRequest('POST', '/internal/questions/awaited-members', (request) =>
        request
          .headers({
            [serviceTokenHeader]: M.like('scheduler-service-token-in-pacts'),
            'content-type': 'application/json',
          })
          .jsonBody({ questions: [{ familyId: fromState('familyId'), questionId: fromState('questionId') }] }),
      )
      .willRespondWith(200, (response) =>
        response.jsonBody({
          questions: [
            {
              familyId: fromState('familyId'),
              questionId: fromState('questionId'),
              complete: false,
              awaitedMemberIds: M.eachLike(M.regex(uuid, examples.otherMemberId)),
            },
          ],
        }),
      )
      .executeTest(async (mock) => {
        const awaitedMembers = projectionAwaitedMembers(serviceClient(mock.url, 'scheduler-service-token-in-pacts'));
        const question = { familyId: examples.familyId, questionId: examples.questionId };

        const audiences = await awaitedMembers([question]);

        assert.deepEqual(audiences.get(questionKey(question)), {
          complete: false,
          awaitedMemberIds: [examples.otherMemberId],
        });
      }));

  it('when every interaction has run, then they cover the topology and equal the committed pact', () =>
    pact.coversTopologyAndMatchesCommittedPact());
});
