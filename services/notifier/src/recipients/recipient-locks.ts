import type { Executor } from '@haru/db';
import { sql } from 'kysely';
import type { NotifierDatabase } from '../database.ts';

type Db = Executor<NotifierDatabase>;

// Who gets a prepared push is written by three transactions that can run at once: preparing
// the push (it reads the family's members and their devices), a member joining (it adds the
// member's devices to the family's prepared pushes) and a device registered (it adds the
// device to its owner's families' prepared pushes). Each reads rows the others are writing,
// which it cannot see until they commit: a device registered while its family's push was
// being prepared would be in neither. So each first takes these locks, held until it commits,
// and reads only once it has them: the account's, then each family's in order, so that two
// of them never wait for each other.

/** Serializes the transactions that add to a family's prepared pushes (see above). */
export async function lockFamilyRecipients(trx: Db, familyIds: readonly string[]): Promise<void> {
  for (const familyId of [...new Set(familyIds)].sort()) {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`haru.notifier.family:${familyId}`}, 0))`.execute(trx);
  }
}

/** Serializes a member joining with their account's devices being registered (see above). */
export async function lockAccountRecipients(trx: Db, uid: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`haru.notifier.account:${uid}`}, 0))`.execute(trx);
}

/** The families the account is a member of, as this transaction sees them now. */
export async function familiesOf(trx: Db, uid: string): Promise<string[]> {
  const rows = await trx.selectFrom('recipients').select('family_id').where('uid', '=', uid).execute();
  return rows.map((row) => row.family_id);
}
