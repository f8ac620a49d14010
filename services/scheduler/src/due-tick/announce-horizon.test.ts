import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createDatabase, migrateToLatest } from '@haru/db';
import { createTestDatabase } from '@haru/testing';
import { sql } from 'kysely';
import { type SchedulerDatabase, schema } from '../database.ts';
import { migrations } from '../migrations/index.ts';
import { type Announced, announceHorizon } from './announce-horizon.ts';

// How far ahead questions and reminders are announced, against real PostgreSQL: families are
// put on the due-index directly, each due `minutes` after `now`.
const now = new Date('2026-06-01T00:00:00Z');
const minutesAfterNow = (minutes: number) => new Date(now.getTime() + minutes * 60_000);
// Services that prepare one family a second, a five-minute lead, an hour at most.
const lead = { leadMs: 300_000, maxLeadMs: 3_600_000, prepareRate: 1 };
let database: ReturnType<typeof createDatabase<SchedulerDatabase>>;

before(async () => {
  database = createDatabase<SchedulerDatabase>({ url: await createTestDatabase(), schema, poolSize: 2 });
  await migrateToLatest(database.db, schema, migrations);
});
after(() => database?.close());
beforeEach(() => sql`truncate family_schedule, pending_push`.execute(database.db));

const dueIn = (minutes: number, families: number) =>
  sql`
    insert into family_schedule (family_id, timezone, push_time, next_due_at, version_occurred_at, version_event_id)
    select gen_random_uuid(), 'UTC', '00:00', ${minutesAfterNow(minutes)}, ${now}, gen_random_uuid()
    from generate_series(1, ${families})`.execute(database.db);
const remindersDueIn = (minutes: number, families: number) =>
  sql`
    insert into pending_push (family_id, question_id, kind, due_at, correlation_id, causation_id)
    select gen_random_uuid(), gen_random_uuid(), 'reminder', ${minutesAfterNow(minutes)}, 'c', 'c'
    from generate_series(1, ${families})`.execute(database.db);
const horizon = (options = lead, announced: Announced = 'questions') =>
  announceHorizon(database.db, announced, now, options);

describe('how far ahead questions and reminders are announced', () => {
  it('when the families due soon fit in the time before their lead, then the horizon is the end of the lead', async () => {
    await dueIn(7, 120); // 120 families, 120 s beyond the lead: just enough
    assert.deepEqual(await horizon(), minutesAfterNow(5));
  });

  it('when a minute has more families than the time before its lead prepares, then the horizon reaches it', async () => {
    await dueIn(7, 121);
    assert.deepEqual(await horizon(), minutesAfterNow(7));
  });

  it('when two minutes fit one by one but not together, then the horizon reaches the later', async () => {
    await dueIn(7, 100); // 100 ≤ 120 s
    await dueIn(8, 100); // 100 ≤ 180 s alone, 200 > 180 s with the minute before
    await dueIn(20, 100); // 300 families by then, well within 900 s
    assert.deepEqual(await horizon(), minutesAfterNow(8));
  });

  it('when the crowd is further ahead than the maximum lead, or the maximum is the lead, then the horizon is the end of the lead', async () => {
    await dueIn(61, 10_000);
    assert.deepEqual(await horizon(), minutesAfterNow(5));
    await dueIn(7, 1_000);
    assert.deepEqual(await horizon({ ...lead, maxLeadMs: lead.leadMs }), minutesAfterNow(5));
  });

  it('when a minute has more reminders than the time before their lead prepares, then the reminders’ horizon reaches it, and the questions’ does not', async () => {
    await remindersDueIn(7, 120);
    assert.deepEqual(await horizon(lead, 'reminders'), minutesAfterNow(5), 'just enough');
    await remindersDueIn(8, 200);
    assert.deepEqual(await horizon(lead, 'reminders'), minutesAfterNow(8));
    assert.deepEqual(await horizon(lead, 'questions'), minutesAfterNow(5));
  });
});
