import type { Executor } from '@haru/db';
import { sql } from 'kysely';
import type { NotifierDatabase } from '../database.ts';

type Db = Executor<NotifierDatabase>;

// Who gets a prepared push is written by three transactions that can run at once: preparing
// the push (it reads the family's members and their devices), a member joining (it adds the
// member's devices to the family's prepared pushes) and a device registered (it adds the
// device to its owner's families' prepared pushes). Each reads rows the others are writing,
// which it cannot see until they commit: a device registered while its family's push was
// being prepared would be in neither. So each first takes these locks, before it writes or
// reads, held until it commits: the account's, then each family's in order, so that two of
// them never wait for each other.

const advisoryLock = (trx: Db, key: string) =>
  sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);

/** For preparing a family's push (see above). */
export async function lockFamilyRecipients(trx: Db, familyId: string): Promise<void> {
  await advisoryLock(trx, `haru.notifier.family:${familyId}`);
}

/**
 * For adding an account to prepared pushes (see above): its member joining `familyId`, or,
 * without one, its device registered for every family it is a member of.
 */
export async function lockAccountRecipients(trx: Db, uid: string, familyId?: string): Promise<void> {
  await advisoryLock(trx, `haru.notifier.account:${uid}`);
  // Read once the account is locked: a member joining meanwhile has committed.
  const familyIds =
    familyId !== undefined
      ? [familyId]
      : (await trx.selectFrom('recipients').select('family_id').where('uid', '=', uid).execute()).map(
          (row) => row.family_id,
        );
  for (const family of [...new Set(familyIds)].sort()) await lockFamilyRecipients(trx, family);
}
