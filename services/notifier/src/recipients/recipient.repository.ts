import type { Executor } from '@haru/db';
import { sql } from 'kysely';
import type { NotifierDatabase } from '../database.ts';
import type { Locale, MutableKind } from './recipient.table.ts';

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
        // An erased member's join arriving late does not bring their uid back.
        uid: sql<string | null>`case when recipients.erased then null else excluded.uid end`,
        // A locale the member chose since (the join arrived late) is kept.
        locale: sql<Locale>`coalesce(case when recipients.preferences_changed_at is null then excluded.locale end, recipients.locale)`,
        active: sql<boolean>`not (recipients.left or recipients.erased)`,
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

/**
 * Records a member's locale and muted kinds as of `changedAt`, unless newer ones are
 * recorded already (changes may arrive out of order). Before their join has arrived, the
 * row waits inactive for it, holding the preferences.
 */
export async function recordPreferences(
  db: Db,
  member: { familyId: string; memberId: string; locale: Locale; mutedKinds: readonly MutableKind[]; changedAt: Date },
  now: Date,
): Promise<void> {
  await db
    .insertInto('recipients')
    .values({
      family_id: member.familyId,
      member_id: member.memberId,
      uid: null,
      locale: member.locale,
      active: false,
      left: false,
      muted_kinds: [...member.mutedKinds],
      preferences_changed_at: member.changedAt,
      updated_at: now,
    })
    .onConflict((conflict) =>
      conflict
        .columns(['family_id', 'member_id'])
        .doUpdateSet((eb) => ({
          locale: eb.ref('excluded.locale'),
          muted_kinds: eb.ref('excluded.muted_kinds'),
          preferences_changed_at: eb.ref('excluded.preferences_changed_at'),
          updated_at: eb.ref('excluded.updated_at'),
        }))
        .where((eb) =>
          eb.or([
            eb('recipients.preferences_changed_at', 'is', null),
            eb('recipients.preferences_changed_at', '<', eb.ref('excluded.preferences_changed_at')),
          ]),
        ),
    )
    .execute();
}
