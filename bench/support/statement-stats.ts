// `--pg-stats`: which statements a benchmark's database time goes to (pg_stat_statements,
// loaded only when asked for: it costs every statement a little, more for the side that
// runs more of them).
import pg from 'pg';

export const statementStatsRequested = (argv: string[] = process.argv): boolean => argv.includes('--pg-stats');

export async function createStatementStats(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('create extension if not exists pg_stat_statements');
  } finally {
    await client.end();
  }
}

/** From here on: called before the measured rounds, so that set-up and warm-up do not count. */
export async function resetStatementStats(database: pg.Pool): Promise<void> {
  await database.query('select pg_stat_statements_reset()');
}

export interface StatementStat {
  calls: number;
  /** Time executing all its calls (ms). */
  totalExecMs: number;
  /** Mean time to plan and to execute one call (ms; wall time, so it includes waiting for a core). */
  meanPlanMs: number;
  meanExecMs: number;
  statement: string;
}

/**
 * The statements run most often since the reset (`by: 'time'`: those that took the most
 * execution time), with their mean plan and execution times.
 */
export async function topStatements(
  database: pg.Pool,
  { limit = 15, by = 'calls' }: { limit?: number; by?: 'calls' | 'time' } = {},
): Promise<StatementStat[]> {
  const { rows } = await database.query<{
    calls: string;
    total: string;
    plan: string;
    exec: string;
    statement: string;
  }>(
    `select calls, total_exec_time as total, mean_plan_time as plan, mean_exec_time as exec,
            left(regexp_replace(query, '\\s+', ' ', 'g'), 120) as statement
     from pg_stat_statements where query not like '%pg_stat_statements%'
     order by ${by === 'time' ? 'total_exec_time' : 'calls'} desc limit $1`,
    [limit],
  );
  return rows.map((row) => ({
    calls: Number(row.calls),
    totalExecMs: Math.round(Number(row.total)),
    meanPlanMs: Math.round(Number(row.plan) * 1000) / 1000,
    meanExecMs: Math.round(Number(row.exec) * 1000) / 1000,
    statement: row.statement,
  }));
}
