import assert from 'node:assert/strict';
import { it } from 'node:test';
import pg from 'pg';
import { createTestDatabase } from './create-test-database.ts';

it('when two test databases are created, then each is a distinct, connectable, empty database', async () => {
  const [first, second] = await Promise.all([createTestDatabase(), createTestDatabase()]);

  assert.notEqual(first, second);
  for (const url of [first, second]) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string; tables: number }>(
        `SELECT current_database() AS name,
                (SELECT count(*)::int FROM information_schema.tables WHERE table_schema = 'public') AS tables`,
      );
      assert.equal(rows[0]?.name, new URL(url).pathname.slice(1));
      assert.equal(rows[0]?.tables, 0);
    } finally {
      await client.end();
    }
  }
});
