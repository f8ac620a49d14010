import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDatabase, type Database, migrateToLatest } from '@haru/db';
import { type MessagingTables, messagingMigrations } from '@haru/messaging';
import { createLogger, createMetrics } from '@haru/observability';
import { createTestDatabase, eventually, metricSample } from '@haru/testing';
import { type Kysely, sql } from 'kysely';
import { inboxRetention, startRetentionSweep, sweepRetention } from './retention-sweep.ts';

const dayMs = 86_400_000;
const now = new Date('2026-12-09T00:00:00Z');
const daysBefore = (moment: Date, days: number) => new Date(moment.getTime() - days * dayMs);
const daysAgo = (days: number) => daysBefore(now, days);
let database: Database<MessagingTables>;
const db = () => database.db as unknown as Kysely<unknown>;

before(async () => {
  database = createDatabase<MessagingTables>({ url: await createTestDatabase(), schema: 'retention', poolSize: 2 });
  await migrateToLatest(database.db, 'retention', messagingMigrations);
});
after(() => database?.close());

/** Inbox rows handled `ages` days before `now`, or before another moment. */
const handled = (ages: number[], before = now) =>
  database.db
    .insertInto('inbox')
    .values(
      ages.map((days) => ({
        message_id: crypto.randomUUID(),
        type: 'QuestionOpened',
        handled_at: daysBefore(before, days),
      })),
    )
    .returning('message_id')
    .execute();
const inboxIds = async () =>
  (await database.db.selectFrom('inbox').select('message_id').execute()).map((row) => row.message_id).sort();

describe('the retention sweep', () => {
  it('when inbox rows are older than the period, then they go in batches and the younger stay, the outbox untouched', async () => {
    await database.db.deleteFrom('inbox').execute();
    await handled([31, 45, 60, 90, 400]);
    const kept = (await handled([29, 1, 0])).map((row) => row.message_id).sort();
    // An event never published stays on the outbox however old: removing it would lose it.
    await database.db
      .insertInto('outbox')
      .values({
        event_id: crypto.randomUUID(),
        type: 'FamilyCreated',
        envelope: {},
        created_at: daysAgo(100),
        publish_at: null,
      })
      .execute();
    let batches = 0;
    const counted = {
      ...inboxRetention,
      removeBatch: (...args: Parameters<typeof inboxRetention.removeBatch>) => {
        batches += 1;
        return inboxRetention.removeBatch(...args);
      },
    };

    const removed = await sweepRetention({ db: db(), steps: [counted], retentionDays: 30, now, batchSize: 2 });

    assert.deepEqual(removed, { inbox: 5 });
    assert.equal(batches, 3, 'two full batches of two, then a short one');
    assert.deepEqual(await inboxIds(), kept);
    const [outbox] = await database.db.selectFrom('outbox').select(sql<number>`count(*)::int`.as('rows')).execute();
    assert.equal(outbox?.rows, 1);
  });

  it('when the inbox is swept, then the statement finds its rows by the handled_at index', async () => {
    await database.db.deleteFrom('inbox').execute();
    // As a swept inbox is: what came since the last sweep is all that is older than the period.
    await handled(Array.from({ length: 5000 }, (_, index) => (index < 10 ? 31 : (index % 300) / 10)));
    await sql`analyze inbox`.execute(database.db);
    const { rows } = await sql<{ 'QUERY PLAN': string }>`
      explain select ctid from inbox where handled_at < ${daysAgo(30)} limit 1000`.execute(database.db);
    assert.match(rows.map((row) => row['QUERY PLAN']).join('\n'), /inbox_handled_at/);
  });

  it('when a service runs its sweep, then it sweeps at start and counts what it removed', async () => {
    await database.db.deleteFrom('inbox').execute();
    // The running sweep reads the real clock: the rows' ages are from today, not from `now`.
    const today = new Date();
    await handled([40, 50, 60], today);
    const kept = (await handled([2], today)).map((row) => row.message_id);
    const metrics = createMetrics('retention-test');
    const sweep = startRetentionSweep({
      db: db(),
      steps: [inboxRetention],
      retentionDays: 30,
      intervalMs: 3_600_000,
      logger: createLogger('retention-test', 'silent'),
      metrics,
    });
    try {
      await eventually(async () => (await inboxIds()).length === 1, { message: 'the old inbox rows removed' });
      assert.deepEqual(await inboxIds(), kept);
      const removed = await eventually(async () =>
        metricSample(await metrics.metrics(), 'haru_retention_removed_rows_total', { table: 'inbox' }),
      );
      assert.equal(removed, 3);
    } finally {
      await sweep.stop();
    }
  });
});
