import type { Database } from '@haru/db';
import { type CompiledQuery, Kysely, PostgresDialect } from 'kysely';
import type { PoolClient } from 'pg';

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

/** One node of a plan as EXPLAIN (FORMAT JSON) gives it; with ANALYZE, what running it did. */
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  /** Rows the node read and then dropped by a condition its index could not apply. */
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

/**
 * Every node of a statement's plan, each before its children. With `analyze` the statement is
 * run, and each node says how many rows it gave and how many times. Its `pool` may be one
 * connection of it, to plan or run the statement within a transaction.
 */
export async function planNodes(
  database: { pool: Pick<Database<unknown>['pool'], 'query'> | PoolClient },
  statement: CompiledQuery,
  { analyze = false } = {},
): Promise<PlanNode[]> {
  const { rows } = await database.pool.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
    `explain (${analyze ? 'analyze, ' : ''}format json) ${statement.sql}`,
    [...statement.parameters],
  );
  const plan = rows[0]?.['QUERY PLAN'][0]?.Plan;
  if (!plan) throw new Error(`no plan for ${statement.sql}`);
  const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];
  return nodesOf(plan);
}

/**
 * The plan, run, of the statement among `statements` that `explained` picks, as it ran where
 * they were sent: the statements before it are run first, on one connection in a transaction
 * (then rolled back), so that it is planned under the settings they set. Their own `begin`
 * and `commit` are left to that transaction.
 */
export async function planAsSent(
  database: Pick<Database<unknown>, 'pool'>,
  statements: readonly CompiledQuery[],
  explained: (statement: CompiledQuery) => boolean,
): Promise<PlanNode[]> {
  const target = statements.findIndex(explained);
  if (target < 0) throw new Error('none of the statements sent is the one to explain');
  const client = await database.pool.connect();
  try {
    await client.query('begin');
    for (const statement of statements.slice(0, target)) {
      if (!/^\s*(begin|commit|rollback)\b/i.test(statement.sql)) {
        await client.query(statement.sql, [...statement.parameters]);
      }
    }
    return await planNodes({ pool: client }, statements[target] as CompiledQuery, { analyze: true });
  } finally {
    await client.query('rollback');
    client.release();
  }
}
