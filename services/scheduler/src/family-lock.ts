import type { Executor } from '@haru/db';
import { sql } from 'kysely';
import type { SchedulerDatabase } from './database.ts';

/**
 * Serialises the handling of a family's events until the transaction ends. Without it,
 * FamilyCreated and QuestionOpened handled at once would each miss the other's
 * uncommitted row, and neither would schedule the question's pushes. The lock is
 * namespaced to the scheduler, in case services share a database.
 */
export async function lockFamily(trx: Executor<SchedulerDatabase>, familyId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('scheduler'), hashtext(${familyId}))`.execute(trx);
}
