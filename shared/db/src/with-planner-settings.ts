import { type Kysely, sql, type Transaction } from 'kysely';

/**
 * Runs `run` in a transaction whose statements are planned with `settings` (run-time
 * parameters such as `enable_sort`), set for that transaction alone: for a read whose plan
 * must not follow the statistics, as `createDatabase`'s `settings` do for a whole pool.
 */
export function withPlannerSettings<DB, T>(
  db: Kysely<DB>,
  settings: Readonly<Record<string, string>>,
  run: (trx: Transaction<DB>) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`select set_config(name, value, true)
      from unnest(${Object.keys(settings)}::text[], ${Object.values(settings)}::text[]) as setting (name, value)`.execute(
      trx,
    );
    return run(trx);
  });
}
