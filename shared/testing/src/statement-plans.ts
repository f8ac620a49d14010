import type { Database } from '@haru/db';
import { type CompiledQuery, Kysely, PostgresDialect } from 'kysely';

/** Every statement `run` sends, through a Kysely of its own on the database's pool. */
export async function statementsOf<DB>(
  database: Database<DB>,
  run: (db: Kysely<DB>) => Promise<unknown>,
): Promise<CompiledQuery[]> {
  const statements: CompiledQuery[] = [];
  const logged = new Kysely<DB>({
    dialect: new PostgresDialect({ pool: database.pool }),
    log: (event) => {
      statements.push(event.query);
    },
  });
  await run(logged);
  return statements;
}

/** The plan of a statement with sequential scans priced out: a Seq Scan left means no index can serve it. */
export async function planWithoutSeqScans(
  database: Pick<Database<unknown>, 'pool'>,
  statement: CompiledQuery,
): Promise<string> {
  const client = await database.pool.connect();
  try {
    await client.query('set enable_seqscan = off');
    const { rows } = await client.query(`explain ${statement.sql}`, [...statement.parameters]);
    return rows.map((row: { 'QUERY PLAN': string }) => row['QUERY PLAN']).join('\n');
  } finally {
    await client.query('reset enable_seqscan');
    client.release();
  }
}
