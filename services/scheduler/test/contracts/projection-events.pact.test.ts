import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDatabase, type Database, migrateToLatest } from '@haru/db';
import { createTestDatabase } from '@haru/testing';
import { acceptAtEdge, eventPact } from '../../../../contracts/support/event-messages.ts';
import { type SchedulerDatabase, schema } from '../../src/database.ts';
import { createEventHandler } from '../../src/handle-event.ts';
import { migrations } from '../../src/migrations/index.ts';

// What the scheduler expects of the projection's events (contracts/scheduler-projection.json),
// each interaction checked by running the scheduler's own edge and handler on its example.
const pact = eventPact('scheduler', 'projection');
let database: Database<SchedulerDatabase>;

before(async () => {
  database = createDatabase<SchedulerDatabase>({ url: await createTestDatabase(), schema, poolSize: 2 });
  await migrateToLatest(database.db, schema, migrations);
});
after(() => database?.close());

describe('the scheduler as a consumer of the projection', () => {
  it('when FamilyQuestionCompleted arrives, then the scheduler handles it once', () =>
    pact.expect('FamilyQuestionCompleted').executeTest(async (message) => {
      const event = acceptAtEdge(message);
      const handle = createEventHandler({
        db: database.db,
        now: () => new Date('2026-11-25T12:00:00Z'),
        catchUpWindowMinutes: 180,
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

  it('when every interaction has run, then they cover the topology and equal the committed pact', () =>
    pact.coversTopologyAndMatchesCommittedPact());
});
