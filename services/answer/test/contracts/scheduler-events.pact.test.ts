import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDatabase, type Database, migrateToLatest } from '@haru/db';
import { createTestDatabase } from '@haru/testing';
import { acceptAtEdge, eventPact, examples } from '../../../../contracts/support/event-messages.ts';
import { type AnswerDatabase, schema } from '../../src/database.ts';
import { loadFamily, runFamilyCommand } from '../../src/families/family.repository.ts';
import { existing } from '../../src/families/family.ts';
import { migrations } from '../../src/migrations/index.ts';
import { openQuestionOnDue } from '../../src/questions/open-question-on-due.ts';

// What the answer service expects of the scheduler's events (contracts/answer-scheduler.json),
// each interaction checked by running the answer service's own edge and handler on its example.
const pact = eventPact('answer', 'scheduler');
let database: Database<AnswerDatabase>;

before(async () => {
  database = createDatabase<AnswerDatabase>({ url: await createTestDatabase(), schema, poolSize: 2 });
  await migrateToLatest(database.db, schema, migrations);
});
after(() => database?.close());

describe('the answer service as a consumer of the scheduler', () => {
  it('when QuestionDue arrives for a family, then the family’s question of that date opens', async () => {
    const now = new Date();
    await runFamilyCommand(
      database,
      examples.familyId,
      {
        type: 'CreateFamily',
        data: {
          familyId: examples.familyId,
          name: 'Parks',
          inviteCode: 'PACT2345',
          inviteExpiresAt: new Date(now.getTime() + 60_000),
          schedule: { timezone: 'Asia/Seoul', pushTime: '20:00', quietHours: null, reminderOffsetMinutes: 180 },
          founder: { memberId: examples.memberId, uid: 'uid-parent', role: 'parent', displayName: 'Dad', locale: 'ko' },
        },
        metadata: { now },
      },
      { occurredAt: now, correlationId: 'given', causationId: null },
    );

    await pact.expect('QuestionDue').executeTest(async (message) => {
      const event = acceptAtEdge(message);

      await openQuestionOnDue(database, event);

      assert.equal(event.type, 'QuestionDue');
      const family = existing(await loadFamily(database.db, event.familyId));
      assert.equal(family.recentQuestions.at(-1)?.localDate, event.data.localDate);
    });
  });

  it('when every interaction has run, then they cover the topology and equal the committed pact', () =>
    pact.coversTopologyAndMatchesCommittedPact());
});
