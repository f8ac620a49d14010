import type { PushKind } from '@haru/contracts';
import type { Executor } from '@haru/db';
import { sql } from 'kysely';
import type { NotifierDatabase } from '../database.ts';
import { lockFamilyRecipients } from '../recipients/recipient-locks.ts';
import type { DeliveryStatus } from './delivery.table.ts';

type Db = Executor<NotifierDatabase>;

export interface NotificationKey {
  notificationId: string;
  familyId: string;
  questionId: string;
  kind: PushKind;
}

/**
 * Prepares a push: creates the notification, due at `dueAt` (the family's instant), and,
 * only when this call created it, one pending delivery due at the same instant per active
 * device of each active recipient of the family (or of the listed members) who has not
 * muted its kind. A redelivered event prepares nothing new; later joiners and devices are added by
 * `addDeliveriesToPreparedPushes` until the instant, and whoever is no longer a recipient
 * at the instant is skipped by the sender. Resolves true when this call created it.
 */
export async function prepareNotification(
  trx: Db,
  notification: NotificationKey & {
    memberIds: readonly string[] | null;
    dueAt: Date;
    cause: { id: string; correlationId: string };
  },
  now: Date,
): Promise<boolean> {
  const { notificationId, familyId, questionId, kind, memberIds, dueAt, cause } = notification;
  // Its members and devices are read once no one is adding to them (see recipient-locks.ts).
  await lockFamilyRecipients(trx, familyId);
  const created = await trx
    .insertInto('notifications')
    .values({
      notification_id: notificationId,
      family_id: familyId,
      question_id: questionId,
      kind,
      created_at: now,
      due_at: dueAt,
      reported_at: null,
      cause_event_id: cause.id,
      correlation_id: cause.correlationId,
    })
    .onConflict((conflict) => conflict.column('notification_id').doNothing())
    .returning('notification_id')
    .executeTakeFirst();
  if (!created) return false;
  if (memberIds?.length === 0) return true;

  await trx
    .insertInto('deliveries')
    .columns(['notification_id', 'token', 'member_id', 'status', 'attempts', 'next_attempt_at', 'updated_at'])
    .expression((eb) =>
      eb
        .selectFrom('recipients')
        .innerJoin('devices', 'devices.uid', 'recipients.uid')
        .select([
          sql<string>`cast(${notificationId} as uuid)`.as('notification_id'),
          'devices.token',
          'recipients.member_id',
          sql<DeliveryStatus>`'pending'`.as('status'),
          sql<number>`0`.as('attempts'),
          sql<Date>`cast(${dueAt} as timestamptz)`.as('next_attempt_at'),
          sql<Date>`cast(${now} as timestamptz)`.as('updated_at'),
        ])
        .where('recipients.family_id', '=', familyId)
        .where('recipients.active', '=', true)
        .where('devices.active', '=', true)
        .where(sql<boolean>`not (${kind} = any(recipients.muted_kinds))`)
        .$if(memberIds !== null, (query) => query.where('recipients.member_id', 'in', memberIds ?? []))
        // An account erasure under way changes these rows: the push waits for it and skips the
        // member, or the erasure waits for the push and renames its deliveries.
        .forShare('recipients'),
    )
    .onConflict((conflict) => conflict.columns(['notification_id', 'token']).doNothing())
    .execute();
  return true;
}

/**
 * Moves a prepared push to a new instant: the notification and its deliveries not yet sent
 * (a delivery sent or being retried keeps its course).
 */
export async function moveUnsentPush(trx: Db, notificationId: string, dueAt: Date): Promise<void> {
  await trx
    .updateTable('notifications')
    .set({ due_at: dueAt })
    .where('notification_id', '=', notificationId)
    .where('reported_at', 'is', null)
    .execute();
  await trx
    .updateTable('deliveries')
    .set({ next_attempt_at: dueAt })
    .where('notification_id', '=', notificationId)
    .where('status', '=', 'pending')
    .where('attempts', '=', 0)
    .execute();
}

/** A notification with nothing left to send, marked reported (once), with its tally. */
export interface FinishedNotification extends NotificationKey {
  causeEventId: string | null;
  correlationId: string | null;
  delivered: number;
  failed: number;
}

/**
 * Marks up to `limit` notifications whose every delivery is final as reported, earliest due
 * first, with each one's tally. Run it on a connection with `batchPlannerSettings`.
 */
export const reportStatement = ({ now, limit }: { now: Date; limit: number }) => sql<{
  notification_id: string;
  family_id: string;
  question_id: string;
  kind: PushKind;
  cause_event_id: string | null;
  correlation_id: string | null;
  delivered: string;
  failed: string;
}>`
    with finished as (
      select n.notification_id from notifications n
      where n.reported_at is null and n.due_at <= ${now}
        and not exists (
          select from deliveries d where d.notification_id = n.notification_id and d.status = 'pending')
      order by n.due_at
      limit ${limit}
      for update skip locked),
    reported as (
      update notifications n set reported_at = ${now}
      from finished where n.notification_id = finished.notification_id
      returning n.notification_id, n.family_id, n.question_id, n.kind, n.cause_event_id, n.correlation_id)
    select r.*,
      (select count(*) from deliveries d where d.notification_id = r.notification_id and d.status = 'sent') as delivered,
      (select count(*) from deliveries d
        where d.notification_id = r.notification_id and d.status in ('failed', 'invalid')) as failed
    from reported r`;

/**
 * Marks up to `limit` notifications whose every delivery is final as reported, and
 * resolves with each one's tally: each is reported exactly once, whoever finished it.
 */
export async function markFinishedReported(
  trx: Db,
  range: { now: Date; limit: number },
): Promise<FinishedNotification[]> {
  const { rows } = await reportStatement(range).execute(trx);
  return rows.map((row) => ({
    notificationId: row.notification_id,
    familyId: row.family_id,
    questionId: row.question_id,
    kind: row.kind,
    causeEventId: row.cause_event_id,
    correlationId: row.correlation_id,
    delivered: Number(row.delivered),
    failed: Number(row.failed),
  }));
}

export interface LoggedNotification {
  notificationId: string;
  kind: PushKind;
  questionId: string;
  /** When it was prepared: within the scheduler's lead before it was due. */
  createdAt: Date;
  /** When it was due to go: its instant, or the end of quiet hours for a push that fell due within them. */
  dueAt: Date;
  deliveries: Array<{ memberId: string; status: DeliveryStatus }>;
}

/**
 * A family's newest notifications due by `now`, with every delivery's member and status. A push
 * prepared ahead is left out until its instant, as its question is: the log never names a
 * question the family cannot read yet.
 */
export async function listFamilyNotifications(
  db: Db,
  familyId: string,
  { now, limit }: { now: Date; limit: number },
): Promise<LoggedNotification[]> {
  const notifications = await db
    .selectFrom('notifications')
    .select(['notification_id', 'kind', 'question_id', 'created_at', 'due_at'])
    .where('family_id', '=', familyId)
    .where('due_at', '<=', now)
    .orderBy('created_at', 'desc')
    .orderBy('notification_id', 'desc')
    .limit(limit)
    .execute();
  if (notifications.length === 0) return [];
  const deliveries = await db
    .selectFrom('deliveries')
    .select(['notification_id', 'member_id', 'status'])
    .where(
      'notification_id',
      'in',
      notifications.map((notification) => notification.notification_id),
    )
    .orderBy('member_id')
    .orderBy('token')
    .execute();
  return notifications.map((notification) => ({
    notificationId: notification.notification_id,
    kind: notification.kind,
    questionId: notification.question_id,
    createdAt: notification.created_at,
    dueAt: notification.due_at,
    deliveries: deliveries
      .filter((delivery) => delivery.notification_id === notification.notification_id)
      .map((delivery) => ({ memberId: delivery.member_id, status: delivery.status })),
  }));
}
