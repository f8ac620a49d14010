import type { PushKind } from '@haru/contracts';
import type { Executor } from '@haru/db';
import { sql } from 'kysely';
import type { NotifierDatabase } from '../database.ts';
import type { Locale } from '../recipients/recipient.table.ts';
import type { DeliveryStatus } from './delivery.table.ts';
import type { Notification } from './notification.table.ts';

type Db = Executor<NotifierDatabase>;

export interface NotificationKey {
  notificationId: string;
  familyId: string;
  questionId: string;
  kind: PushKind;
}

/**
 * Creates the notification and, only when this call created it, claims one pending
 * delivery per active device of each active recipient of the family (or of the listed
 * members). So recipients are fixed when the notification is first claimed, and a
 * redelivered event claims nothing new.
 * Resolves true when this call created the notification.
 */
export async function claimNotification(
  trx: Db,
  notification: NotificationKey & {
    memberIds: readonly string[] | null;
    cause: { id: string; correlationId: string };
  },
  now: Date,
): Promise<boolean> {
  const { notificationId, familyId, questionId, kind, memberIds, cause } = notification;
  const created = await trx
    .insertInto('notifications')
    .values({
      notification_id: notificationId,
      family_id: familyId,
      question_id: questionId,
      kind,
      created_at: now,
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
          sql<Date>`cast(${now} as timestamptz)`.as('next_attempt_at'),
          sql<Date>`cast(${now} as timestamptz)`.as('updated_at'),
        ])
        .where('recipients.family_id', '=', familyId)
        .where('recipients.active', '=', true)
        .where('devices.active', '=', true)
        .$if(memberIds !== null, (query) => query.where('recipients.member_id', 'in', memberIds ?? [])),
    )
    .onConflict((conflict) => conflict.columns(['notification_id', 'token']).doNothing())
    .execute();
  return true;
}

/**
 * Locks the notification for the rest of the transaction. Whoever holds it is the
 * only one sending its deliveries, so two copies of an event handled at the same
 * time cannot both send to a device. With `skipLocked`, resolves undefined at once
 * when someone else holds it, instead of waiting.
 */
export async function lockNotification(
  trx: Db,
  notificationId: string,
  { skipLocked = false }: { skipLocked?: boolean } = {},
): Promise<Notification | undefined> {
  return trx
    .selectFrom('notifications')
    .selectAll()
    .where('notification_id', '=', notificationId)
    .forUpdate()
    .$if(skipLocked, (query) => query.skipLocked())
    .executeTakeFirst();
}

export interface PendingDelivery {
  token: string;
  memberId: string;
  locale: Locale;
  /** Sends made so far. */
  attempts: number;
  /**
   * Still the recipient's: the member has not left, and the device is still active and
   * still registered to the member's uid (it may have changed hands since the claim).
   */
  eligible: boolean;
}

/** The next `limit` pending deliveries of a notification due by `now`, after `afterToken`, in token order. */
export async function dueDeliveries(
  db: Db,
  notification: Pick<Notification, 'notification_id' | 'family_id'>,
  { afterToken, limit, now }: { afterToken: string; limit: number; now: Date },
): Promise<PendingDelivery[]> {
  const rows = await db
    .selectFrom('deliveries')
    .leftJoin('recipients', (join) =>
      join
        .on('recipients.family_id', '=', notification.family_id)
        .onRef('recipients.member_id', '=', 'deliveries.member_id'),
    )
    .leftJoin('devices', 'devices.token', 'deliveries.token')
    .select([
      'deliveries.token',
      'deliveries.member_id',
      'deliveries.attempts',
      'recipients.locale',
      sql<boolean>`coalesce(recipients.active and devices.active and devices.uid = recipients.uid, false)`.as(
        'eligible',
      ),
    ])
    .where('deliveries.notification_id', '=', notification.notification_id)
    .where('deliveries.status', '=', 'pending')
    .where('deliveries.next_attempt_at', '<=', now)
    .where('deliveries.token', '>', afterToken)
    .orderBy('deliveries.token')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    token: row.token,
    memberId: row.member_id,
    locale: row.locale ?? 'ko',
    attempts: row.attempts,
    eligible: row.eligible,
  }));
}

export interface DeliveryResult {
  token: string;
  memberId: string;
  status: DeliveryStatus;
  errorCode: string | null;
  errorMessage: string | null;
  /** Send attempts made for this delivery just now. */
  attempts: number;
  /** When a delivery left pending is due again; null for a final status. */
  nextAttemptAt: Date | null;
}

/** Records what happened to each delivery, in one statement. */
export async function recordDeliveryResults(
  trx: Db,
  notificationId: string,
  results: readonly DeliveryResult[],
  now: Date,
): Promise<void> {
  if (results.length === 0) return;
  const rows = results.map(
    (result) =>
      sql`(${result.token}, ${result.status}, cast(${result.errorCode} as text), cast(${result.errorMessage} as text), cast(${result.attempts} as integer), cast(${result.nextAttemptAt} as timestamptz))`,
  );
  await sql`
    update deliveries
    set status = result.status,
        error_code = result.error_code,
        error_message = result.error_message,
        attempts = deliveries.attempts + result.attempts,
        next_attempt_at = coalesce(result.next_attempt_at, deliveries.next_attempt_at),
        updated_at = ${now}
    from (values ${sql.join(rows)}) as result (token, status, error_code, error_message, attempts, next_attempt_at)
    where deliveries.notification_id = ${notificationId}
      and deliveries.token = result.token
      and deliveries.status = 'pending'`.execute(trx);
}

export type DeliveryTally = Record<DeliveryStatus, number>;

export async function tallyDeliveries(db: Db, notificationId: string): Promise<DeliveryTally> {
  const rows = await db
    .selectFrom('deliveries')
    .select(['status', (eb) => eb.fn.countAll<string>().as('count')])
    .where('notification_id', '=', notificationId)
    .groupBy('status')
    .execute();
  const tally: DeliveryTally = { pending: 0, sent: 0, failed: 0, invalid: 0 };
  for (const row of rows) tally[row.status] = Number(row.count);
  return tally;
}

/** When the notification's earliest pending delivery is due; null when none is pending. */
export async function nextAttemptAt(db: Db, notificationId: string): Promise<Date | null> {
  const row = await db
    .selectFrom('deliveries')
    .select((eb) => eb.fn.min('next_attempt_at').as('next'))
    .where('notification_id', '=', notificationId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return row?.next ?? null;
}

/**
 * Notifications with a pending delivery due by `now`, after `afterNotificationId`, in
 * id order: what the retry sweep has to send.
 */
export async function notificationsDue(
  db: Db,
  { now, afterNotificationId, limit }: { now: Date; afterNotificationId: string | null; limit: number },
): Promise<string[]> {
  const rows = await db
    .selectFrom('deliveries')
    .select('notification_id')
    .distinct()
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .$if(afterNotificationId !== null, (query) => query.where('notification_id', '>', afterNotificationId ?? ''))
    .orderBy('notification_id')
    .limit(limit)
    .execute();
  return rows.map((row) => row.notification_id);
}

/** Marks the notification as reported; resolves true only the first time. */
export async function markReported(trx: Db, notificationId: string, now: Date): Promise<boolean> {
  const marked = await trx
    .updateTable('notifications')
    .set({ reported_at: now })
    .where('notification_id', '=', notificationId)
    .where('reported_at', 'is', null)
    .returning('notification_id')
    .executeTakeFirst();
  return marked !== undefined;
}

export interface LoggedNotification {
  notificationId: string;
  kind: PushKind;
  questionId: string;
  createdAt: Date;
  deliveries: Array<{ memberId: string; status: DeliveryStatus }>;
}

/** A family's newest notifications with every delivery's member and status. */
export async function listFamilyNotifications(db: Db, familyId: string, limit: number): Promise<LoggedNotification[]> {
  const notifications = await db
    .selectFrom('notifications')
    .select(['notification_id', 'kind', 'question_id', 'created_at'])
    .where('family_id', '=', familyId)
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
    deliveries: deliveries
      .filter((delivery) => delivery.notification_id === notification.notification_id)
      .map((delivery) => ({ memberId: delivery.member_id, status: delivery.status })),
  }));
}
