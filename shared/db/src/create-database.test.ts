import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTestDatabase, eventually } from '@haru/testing';
import { sql } from 'kysely';
import { createDatabase } from './create-database.ts';

test('when PostgreSQL drops a connection a transaction holds between queries, then the process lives on and the pool recovers', async () => {
  const database = createDatabase({ url: await createTestDatabase(), schema: 'public', poolSize: 2 });
  try {
    let release = () => {};
    const waiting = new Promise<void>((resolve) => {
      release = resolve;
    });
    let backend = 0;
    // Holds its connection while it waits (as the relay waits on SNS, the notifier on FCM).
    const transaction = database.db.transaction().execute(async (trx) => {
      backend = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)).rows[0]?.pid ?? 0;
      await waiting;
      await sql`select 1`.execute(trx);
    });
    await eventually(() => backend !== 0, { message: 'the transaction holds a connection' });
    await sql`select pg_terminate_backend(${backend})`.execute(database.db);
    // Had the dropped client's 'error' gone unheard, this process would have ended by now.
    await eventually(
      async () =>
        (await sql<{ alive: boolean }>`select not exists (select from pg_stat_activity where pid = ${backend}) as alive`
          .execute(database.db)
          .then((result) => result.rows[0]?.alive)) === true,
      { message: 'the backend is gone' },
    );
    release();
    await assert.rejects(transaction);
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(database.db);
    assert.equal(rows[0]?.one, 1);
  } finally {
    await database.close();
  }
});

test('when a database is created with settings, then every connection starts with them, in its schema', async () => {
  const database = createDatabase({
    url: await createTestDatabase(),
    schema: 'public',
    poolSize: 2,
    settings: { enable_seqscan: 'off', enable_bitmapscan: 'off' },
  });
  try {
    const shown = await Promise.all(
      [1, 2].map(() =>
        database.db.connection().execute(async (connection) => {
          const { rows } = await sql<{ seq: string; bitmap: string; path: string }>`
            select current_setting('enable_seqscan') as seq, current_setting('enable_bitmapscan') as bitmap,
                   current_setting('search_path') as path`.execute(connection);
          return rows[0];
        }),
      ),
    );
    assert.deepEqual(shown, [
      { seq: 'off', bitmap: 'off', path: 'public' },
      { seq: 'off', bitmap: 'off', path: 'public' },
    ]);
    assert.throws(() => createDatabase({ url: 'postgres://unused', schema: 'public', settings: { 'a b': 'c' } }));
  } finally {
    await database.close();
  }
});

test('when pools are created for a service and for one of its jobs, then their connections say whose they are, unless the URL names them', async () => {
  const url = await createTestDatabase();
  const named = (options: { job?: string; url?: string }) =>
    createDatabase({ url: options.url ?? url, schema: 'notifier', poolSize: 1, ...options });
  const pools = [named({}), named({ job: 'sender' }), named({ url: `${url}?application_name=tool` })];
  try {
    const shown = await Promise.all(
      pools.map(async (database) => {
        const { rows } = await sql<{ name: string }>`
          select application_name as name from pg_stat_activity where pid = pg_backend_pid()`.execute(database.db);
        return { reported: rows[0]?.name, application: database.application };
      }),
    );
    assert.deepEqual(shown, [
      { reported: 'haru-notifier', application: 'haru-notifier' },
      { reported: 'haru-notifier/sender', application: 'haru-notifier/sender' },
      { reported: 'tool', application: 'tool' },
    ]);
  } finally {
    await Promise.all(pools.map((database) => database.close()));
  }
});
