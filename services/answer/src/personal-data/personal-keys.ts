import type { Executor } from '@haru/db';
import type { AnswerDatabase } from '../database.ts';
import { ownersOf } from './personal-fields.ts';
import { newPersonalKey } from './sealed-field.ts';

type Db = Executor<AnswerDatabase>;

/** Gives each joining member a key of their own (a retry keeps the first). */
export async function createPersonalKeys(
  db: Db,
  members: ReadonlyArray<{ memberId: string; familyId: string; uid: string }>,
): Promise<void> {
  if (members.length === 0) return;
  await db
    .insertInto('personal_keys')
    .values(
      members.map(({ memberId, familyId, uid }) => ({
        member_id: memberId,
        family_id: familyId,
        uid,
        key: newPersonalKey(),
      })),
    )
    .onConflict((conflict) => conflict.column('member_id').doNothing())
    .execute();
}

/** The keys of these members that still exist (an erased member has none). */
export async function personalKeysOf(db: Db, memberIds: readonly string[]): Promise<Map<string, Buffer>> {
  if (memberIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('personal_keys')
    .select(['member_id', 'key'])
    .where('member_id', 'in', memberIds)
    .execute();
  return new Map(rows.map((row) => [row.member_id, row.key]));
}

/** Every membership an account has had, in any family (one index scan on uid). */
export const membershipsOf = (db: Db, uid: string) =>
  db
    .selectFrom('personal_keys')
    .select(['member_id as memberId', 'family_id as familyId'])
    .where('uid', '=', uid)
    .orderBy('created_at')
    .execute();

/** Destroys an account's keys: whatever they sealed can never be read again. */
export async function destroyPersonalKeys(db: Db, uid: string): Promise<void> {
  await db.deleteFrom('personal_keys').where('uid', '=', uid).execute();
}

/**
 * The keys to seal these events with: members who join get theirs first (a key made for an
 * append that then fails is harmless: it seals nothing, and erasure finds it by uid).
 */
export async function keysForSealing(
  db: Db,
  events: ReadonlyArray<{ familyId: string; event: { type: string; data: unknown } }>,
): Promise<Map<string, Buffer>> {
  const joining = events.flatMap(({ familyId, event }) => {
    if (event.type !== 'MemberJoined') return [];
    const { memberId, uid } = event.data as { memberId: string; uid: string };
    return [{ memberId, familyId, uid }];
  });
  await createPersonalKeys(db, joining);
  return personalKeysOf(db, ownersOf(events.map(({ event }) => event)));
}
