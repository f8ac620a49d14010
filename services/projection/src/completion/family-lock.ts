import type { Executor } from '@haru/db';
import { sql } from 'kysely';
import type { ProjectionDatabase } from '../database.ts';

/**
 * Serialises writes to the families' completion state until the transaction ends. The
 * live handler locks one family; a replay page locks all of its families, always in key
 * order, so that two lockers never wait for each other in a cycle.
 */
export async function lockFamilies(trx: Executor<ProjectionDatabase>, familyIds: readonly string[]): Promise<void> {
  if (familyIds.length === 0) return;
  await sql`
    select pg_advisory_xact_lock(key)
    from (select distinct hashtextextended(family_id, 0) as key
          from unnest(${[...familyIds]}::text[]) as family_id
          order by key) as keys`.execute(trx);
}
