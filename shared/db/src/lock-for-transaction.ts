import { sql } from 'kysely';
import type { Executor } from './create-database.ts';

/**
 * Serialises work on the given keys (e.g. family ids) until the transaction ends: a second
 * transaction locking one of them waits for this one to commit or roll back. Keys are
 * locked in one order whatever their order here, so two transactions locking several never
 * wait for each other in a cycle. `scope` (the service's name) keeps services that share a
 * database from locking each other's keys.
 */
export async function lockForTransaction<DB>(trx: Executor<DB>, scope: string, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await sql`
    select pg_advisory_xact_lock(hashtext(${scope}), lock_key)
    from (select distinct hashtext(key) as lock_key
          from unnest(${[...keys]}::text[]) as key
          order by lock_key) as keys`.execute(trx);
}
