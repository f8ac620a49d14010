import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Database } from '@haru/db';
import { planNodes } from '@haru/testing';
import { type CompiledQuery, sql } from 'kysely';
import { migratedTestDatabase } from '../../test/support/migrated-test-database.ts';
import { insertPendingDeliveries } from '../../test/support/pending-deliveries.ts';
import type { NotifierDatabase } from '../database.ts';
import {
  claimStatement,
  type DueKey,
  latestDueKey,
  nextDueAt,
  recordStatement,
  roundOfClaims,
} from './delivery.repository.ts';
import { reportStatement } from './notification.repository.ts';
import { senderDatabase } from './sender-database.ts';

/** Plan nodes whose work grows with the table rather than with the batch. */
const wholeTableNodes = new Set(['Seq Scan', 'Bitmap Heap Scan', 'Hash Join', 'Merge Join', 'Sort']);

describe("a burst's statements in the due-delivery sender", () => {
  let database: Database<NotifierDatabase>;
  let batches: Database<NotifierDatabase>;
  before(async () => {
    const migrated = await migratedTestDatabase();
    database = migrated.database;
    batches = senderDatabase({ url: migrated.url, poolSize: 1 });
    // A burst prepared: 2,000 families of two members, each device with a delivery due at one
    // instant, to the millisecond as the notifier writes instants.
    await sql`
      insert into recipients (family_id, member_id, uid, locale, active, "left", updated_at)
      select ('00000000-0000-7000-8000-' || lpad(to_hex(n / 2), 12, '0'))::uuid, gen_random_uuid(),
             'uid-' || n, 'en', true, false, now()
      from generate_series(0, 3999) as n`.execute(database.db);
    await sql`
      insert into devices (token, uid, platform, active, last_seen_at, updated_at)
      select 'token-' || uid, uid, 'android', true, now(), now() from recipients`.execute(database.db);
    await sql`
      insert into questions (family_id, question_id, text_ko, text_en, opens_at)
      select distinct family_id, '00000000-0000-7000-8000-00000000000a'::uuid, '질문', 'question', now()
      from recipients`.execute(database.db);
    await sql`
      insert into notifications (notification_id, family_id, question_id, kind, created_at, due_at)
      select gen_random_uuid(), family_id, question_id, 'question', now(), date_trunc('milliseconds', now())
      from questions`.execute(database.db);
    await sql`
      insert into deliveries (notification_id, token, member_id, status, attempts, next_attempt_at, updated_at)
      select n.notification_id, d.token, r.member_id, 'pending', 0, n.due_at, now()
      from notifications n join recipients r using (family_id) join devices d on d.uid = r.uid`.execute(database.db);
  });
  after(async () => {
    await batches?.close();
    await database?.close();
  });

  /** The plan's nodes; EXPLAIN without ANALYZE plans a statement without running it. */
  const planOf = (statement: { compile(db: typeof batches.db): CompiledQuery }) =>
    planNodes(batches, statement.compile(batches.db));
  const claimPlan = () => {
    const now = new Date();
    return planOf(claimStatement({ now, until: now, limit: 500, leaseMs: 60_000 }));
  };
  /** The record of 500 sends, as a sender makes it once FCM has answered. */
  const recordPlan = async () => {
    const sent = await database.db
      .selectFrom('deliveries')
      .select(['notification_id', 'token', 'member_id'])
      .limit(500)
      .execute();
    const results = sent.map((delivery) => ({
      notificationId: delivery.notification_id,
      familyId: '00000000-0000-7000-8000-000000000000',
      token: delivery.token,
      memberId: delivery.member_id,
      status: 'sent' as const,
      errorCode: null,
      errorMessage: null,
      attempts: 1,
      nextAttemptAt: null,
    }));
    return planOf(recordStatement(results, new Date()));
  };

  it('leases its batch without writing an index entry: each row is rewritten on its own page', async () => {
    const now = new Date();
    const compiled = claimStatement({ now, until: now, limit: 500, leaseMs: 60_000 }).compile(batches.db);
    const client = await batches.pool.connect();
    try {
      // The counts of this transaction alone; rolled back, so the burst stays unclaimed.
      await client.query('begin');
      const { rowCount } = await client.query(compiled.sql, [...compiled.parameters]);
      const { rows } = await client.query<{ updated: string; hot: string }>(
        `select n_tup_upd as updated, n_tup_hot_upd as hot
         from pg_stat_xact_user_tables where relname = 'deliveries'`,
      );
      assert.equal(rowCount, 500);
      assert.deepEqual(rows[0], { updated: '500', hot: '500' }, 'every lease is a HOT update');
    } finally {
      await client.query('rollback');
      client.release();
    }
  });

  it('goes on from the latest due key it claimed, passing over none of the deliveries it holds', async () => {
    const now = new Date();
    const claim = (from?: DueKey) => claimStatement({ now, until: now, limit: 500, leaseMs: 60_000, from });
    const client = await batches.pool.connect();
    try {
      // Rolled back, so the burst stays unclaimed for the other tests.
      await client.query('begin');
      /** Runs a claim as EXPLAIN ANALYZE: the due index's scan, and the keys it leased. */
      const claimed = async (statement: ReturnType<typeof claim>) => {
        const before = await leasedKeys();
        const nodes = await planNodes({ pool: client }, statement.compile(batches.db), { analyze: true });
        const dueScan = nodes.find((node) => node['Index Name'] === 'deliveries_pending_due');
        assert.ok(dueScan, 'the claim scans the due index');
        const keys = (await leasedKeys()).slice(before.length);
        return { passedOver: dueScan['Rows Removed by Filter'] ?? 0, keys };
      };
      /** Every leased delivery's due key, in the due index's order. */
      const leasedKeys = async () => {
        const { rows } = await client.query<{ send_at: Date; notification_id: string }>(
          `select next_attempt_at as send_at, notification_id from deliveries
           where leased_until is not null order by next_attempt_at, notification_id, token`,
        );
        return rows.map((row): DueKey => ({ sendAt: row.send_at, notificationId: row.notification_id }));
      };

      // A sender's first three batches, held (claimed ahead, being sent or being recorded).
      let from: DueKey | undefined;
      for (let batch = 0; batch < 3; batch++) {
        const { keys } = await claimed(claim(from));
        from = latestDueKey(from, keys);
      }
      const held = await leasedKeys();
      assert.equal(held.length, 1500);
      assert.deepEqual(from, held.at(-1), 'the latest key in the order PostgreSQL keeps uuids in');

      const fromThere = await claimed(claim(from));
      assert.equal(fromThere.keys.length, 500);
      // Only the held deliveries of the last notification claimed, at that very key.
      const atTheKey = held.filter((key) => key.notificationId === from?.notificationId).length;
      assert.equal(fromThere.passedOver, atTheKey, 'passed over no held delivery before the key');
      const fromTheEarliest = await claimed(claim());
      assert.equal(fromTheEarliest.keys.length, 500);
      assert.ok(fromTheEarliest.passedOver >= 2000, `passed over ${fromTheEarliest.passedOver} held deliveries`);
    } finally {
      await client.query('rollback');
      client.release();
    }
  });

  for (const statistics of ['before the tables are analyzed', 'once they are analyzed']) {
    it(`reads only its batch, ${statistics}`, async () => {
      if (statistics.startsWith('once')) await sql`analyze`.execute(database.db);
      const nodes = await claimPlan();
      const wholeTable = nodes.filter((node) => wholeTableNodes.has(node['Node Type']));
      assert.deepEqual(
        wholeTable.map((node) => node['Node Type']),
        [],
        'no step of the claim reads or sorts a whole table',
      );
      // The due rows are taken in the order of the pending-due index, the first 500 only.
      assert.ok(
        nodes.some((node) => node['Node Type'] === 'Index Scan' && node['Index Name'] === 'deliveries_pending_due'),
      );
    });

    it(`records a batch's results by their keys, ${statistics}`, async () => {
      if (statistics.startsWith('once')) await sql`analyze`.execute(database.db);
      const nodes = await recordPlan();
      assert.deepEqual(
        nodes.filter((node) => wholeTableNodes.has(node['Node Type'])).map((node) => node['Node Type']),
        [],
        'no step of the record reads or hashes the pending backlog',
      );
    });

    it(`reports finished notifications a batch at a time, ${statistics}`, async () => {
      if (statistics.startsWith('once')) await sql`analyze`.execute(database.db);
      const nodes = await planOf(reportStatement({ now: new Date(), limit: 1000 }));
      assert.deepEqual(
        nodes.filter((node) => wholeTableNodes.has(node['Node Type'])).map((node) => node['Node Type']),
        [],
        'no step of the report reads or sorts every unreported notification or every delivery',
      );
    });
  }
});

describe("a round's claims", () => {
  let database: Database<NotifierDatabase>;
  before(async () => {
    database = (await migratedTestDatabase()).database;
  });
  after(() => database?.close());

  it('when four workers ask at once, then the claims are made one after another, in the order asked', async () => {
    const now = new Date();
    // Eight notifications of 250 deliveries, due over the last eight seconds.
    for (let notification = 0; notification < 8; notification++) {
      await insertPendingDeliveries(
        database.db,
        now,
        Array.from({ length: 250 }, (_, index) => ({
          token: `t-${notification}-${index}`,
          dueInMs: -8000 + notification * 1000,
        })),
      );
    }
    const claims = senderDatabase({ url: database.url, poolSize: 4 });
    try {
      const claim = roundOfClaims(claims.db, { limit: 500, leaseMs: 60_000, aheadMs: 0, clock: () => new Date() });
      const batches = await Promise.all([claim(), claim(), claim(), claim()]);

      assert.deepEqual(
        batches.map((batch) => batch.length),
        [500, 500, 500, 500],
      );
      assert.equal(new Set(batches.flat().map((delivery) => delivery.token)).size, 2000, 'each delivery claimed once');
      // A pool makes a connection only when none is free: one was enough, so no two claims overlapped.
      assert.equal(claims.pool.totalCount, 1, 'never two claims at once');
      const dueKeys = batches.map((batch) => batch.map((delivery) => delivery.sendAt.getTime()));
      for (let position = 1; position < dueKeys.length; position++) {
        assert.ok(
          Math.max(...(dueKeys[position - 1] ?? [])) <= Math.min(...(dueKeys[position] ?? [])),
          `batch ${position + 1} is due no earlier than batch ${position}`,
        );
      }
    } finally {
      await claims.close();
    }
  });
});

describe('when the sender next looks for due deliveries', () => {
  let database: Database<NotifierDatabase>;
  before(async () => {
    database = (await migratedTestDatabase()).database;
  });
  after(() => database?.close());

  it('passes over the deliveries a sender holds until their lease runs out', async () => {
    const now = new Date('2026-12-03T21:00:00Z');
    const at = (ms: number) => new Date(now.getTime() + ms);
    // Two due and being sent (leased for a minute), one due in ten seconds.
    await insertPendingDeliveries(database.db, now, [
      { token: 'being-sent', dueInMs: -1000, leasedForMs: 60_000 },
      { token: 'also-being-sent', dueInMs: 0, leasedForMs: 60_000 },
      { token: 'next', dueInMs: 10_000 },
    ]);

    assert.deepEqual(await nextDueAt(database.db, now), at(10_000));
    assert.deepEqual(await nextDueAt(database.db, at(60_000)), at(-1000), 'due again once the lease has run out');
  });
});
