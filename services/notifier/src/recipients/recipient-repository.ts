import type { Executor } from '@haru/db';
import type { NotifierDatabase } from '../database.ts';
import type { Locale } from './recipient.table.ts';

type Db = Executor<NotifierDatabase>;

/**
 * Records a member as a recipient. A member already marked as left stays inactive:
 * the join arrived late, after the leave.
 */
export async function recordMemberJoined(
  db: Db,
  member: { familyId: string; memberId: string; uid: string; locale: Locale },
  now: Date,
): Promise<void> {
  await db
    .insertInto('recipients')
    .values({
      family_id: member.familyId,
      member_id: member.memberId,
      uid: member.uid,
      locale: member.locale,
      active: true,
      left: false,
      updated_at: now,
    })
    .onConflict((conflict) =>
      conflict.columns(['family_id', 'member_id']).doUpdateSet((eb) => ({
        uid: eb.ref('excluded.uid'),
        locale: eb.ref('excluded.locale'),
        active: eb.not(eb.ref('recipients.left')),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
}

/** Marks a member as left, for good; works before their join has arrived, too. */
export async function recordMemberLeft(db: Db, member: { familyId: string; memberId: string }, now: Date) {
  await db
    .insertInto('recipients')
    .values({
      family_id: member.familyId,
      member_id: member.memberId,
      uid: null,
      locale: null,
      active: false,
      left: true,
      updated_at: now,
    })
    .onConflict((conflict) =>
      conflict.columns(['family_id', 'member_id']).doUpdateSet({ active: false, left: true, updated_at: now }),
    )
    .execute();
}
