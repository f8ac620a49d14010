import type { Database, Executor } from '@haru/db';
import { eventually } from '@haru/testing';
import { sql } from 'kysely';
import type { NotifierDatabase } from '../../src/database.ts';

export type Work = (trx: Executor<NotifierDatabase>) => Promise<unknown>;

/**
 * Runs `first` in a transaction held open until `second` (which opens its own) waits on a
 * lock or is done; then lets both commit. Without a lock between them, `second` runs through
 * while `first`'s writes are still invisible to it.
 */
export async function race(
  database: Database<NotifierDatabase>,
  first: Work,
  second: () => Promise<unknown>,
): Promise<void> {
  const begun = Promise.withResolvers<void>();
  const commit = Promise.withResolvers<void>();
  const firstDone = database.db.transaction().execute(async (trx) => {
    await first(trx);
    begun.resolve();
    await commit.promise;
  });
  await begun.promise;
  let secondSettled = false;
  const secondDone = second().finally(() => {
    secondSettled = true;
  });
  await eventually(
    async () => {
      if (secondSettled) return true;
      const { rows } = await sql<{ waiting: number }>`
        select count(*)::int as waiting from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`.execute(database.db);
      return (rows[0]?.waiting ?? 0) > 0;
    },
    { message: 'the second transaction is waiting or done' },
  );
  commit.resolve();
  await Promise.all([firstDone, secondDone]);
}
