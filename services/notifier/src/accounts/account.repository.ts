import { randomUUID } from 'node:crypto';
import type { Executor } from '@haru/db';
import type { NotifierDatabase } from '../database.ts';

type Db = Executor<NotifierDatabase>;

/**
 * Erases what the notifier holds of an account: its devices go, its memberships stay as
 * tombstones without the uid (also those the answer service names that have not arrived
 * yet), and its deliveries keep their status for the family's log under a token that names
 * nothing; a pending one is never sent. Idempotent.
 */
export async function eraseAccount(
  trx: Db,
  account: { uid: string; members: ReadonlyArray<{ familyId: string; memberId: string }> },
  now: Date,
): Promise<void> {
  const known = await trx
    .selectFrom('recipients')
    .select(['family_id as familyId', 'member_id as memberId'])
    .where('uid', '=', account.uid)
    .execute();
  const members = [
    ...new Map(
      [...known, ...account.members].map((member) => [`${member.familyId}/${member.memberId}`, member]),
    ).values(),
  ];
  const tokens = (await trx.selectFrom('devices').select('token').where('uid', '=', account.uid).execute()).map(
    (device) => device.token,
  );
  if (members.length > 0) {
    await trx
      .insertInto('recipients')
      .values(
        members.map(({ familyId, memberId }) => ({
          family_id: familyId,
          member_id: memberId,
          uid: null,
          locale: null,
          active: false,
          left: true,
          erased: true,
          updated_at: now,
        })),
      )
      .onConflict((conflict) =>
        conflict
          .columns(['family_id', 'member_id'])
          .doUpdateSet({ uid: null, active: false, erased: true, updated_at: now }),
      )
      .execute();
  }
  const memberIds = [...new Set(members.map((member) => member.memberId))];
  if (memberIds.length > 0 || tokens.length > 0) {
    const deliveries = await trx
      .selectFrom('deliveries')
      .select(['notification_id', 'token', 'status'])
      .where((eb) =>
        eb.or([
          ...(memberIds.length > 0 ? [eb('member_id', 'in', memberIds)] : []),
          ...(tokens.length > 0 ? [eb('token', 'in', tokens)] : []),
        ]),
      )
      .where('token', 'not like', 'erased:%')
      .execute();
    for (const delivery of deliveries) {
      await trx
        .updateTable('deliveries')
        .set({
          token: `erased:${randomUUID()}`,
          ...(delivery.status === 'pending'
            ? { status: 'failed' as const, error_code: 'haru/account-erased', error_message: null }
            : {}),
          updated_at: now,
        })
        .where('notification_id', '=', delivery.notification_id)
        .where('token', '=', delivery.token)
        .execute();
    }
  }
  await trx.deleteFrom('devices').where('uid', '=', account.uid).execute();
}

/** What the notifier holds of an account: its devices and the deliveries to its memberships. */
export async function exportAccount(db: Db, uid: string) {
  const devices = await db
    .selectFrom('devices')
    .select(['token', 'platform', 'active', 'last_seen_at as lastSeenAt'])
    .where('uid', '=', uid)
    .orderBy('last_seen_at')
    .execute();
  // Through the families' notifications: deliveries are found by notification, not by member.
  const deliveries = await db
    .selectFrom('recipients')
    .innerJoin('notifications', 'notifications.family_id', 'recipients.family_id')
    .innerJoin('deliveries', (join) =>
      join
        .onRef('deliveries.notification_id', '=', 'notifications.notification_id')
        .onRef('deliveries.member_id', '=', 'recipients.member_id'),
    )
    .select([
      'notifications.family_id as familyId',
      'recipients.member_id as memberId',
      'notifications.notification_id as notificationId',
      'notifications.kind',
      'notifications.question_id as questionId',
      'notifications.due_at as dueAt',
      'deliveries.token',
      'deliveries.status',
      'deliveries.error_code as errorCode',
      'deliveries.attempts',
      'deliveries.updated_at as updatedAt',
    ])
    .where('recipients.uid', '=', uid)
    .orderBy('notifications.due_at')
    .execute();
  return { devices, deliveries };
}
