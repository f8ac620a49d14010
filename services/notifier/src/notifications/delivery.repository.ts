import type { PushKind } from '@haru/contracts';
import type { Executor } from '@haru/db';
import { sql } from 'kysely';
import type { NotifierDatabase } from '../database.ts';
import type { QuestionText } from '../questions/question.table.ts';
import type { Locale } from '../recipients/recipient.table.ts';
import type { DeliveryStatus } from './delivery.table.ts';

type Db = Executor<NotifierDatabase>;

/** A pending delivery whose time has come, claimed by one sender, with what its push needs. */
export interface ClaimedDelivery {
  notificationId: string;
  token: string;
  memberId: string;
  familyId: string;
  questionId: string;
  kind: PushKind;
  /** The family's instant the push is for. */
  dueAt: Date;
  /** When this send is due: the instant, or a retry's time; not before. */
  sendAt: Date;
  /** The event that asked for the push: events about it are caused by it (null on rows older than that). */
  cause: { id: string; correlationId: string } | null;
  /** Sends made before this one. */
  attempts: number;
  locale: Locale;
  /** Quoted by the question and reminder pushes; null if the question never reached the notifier. */
  question: QuestionText | null;
  /** Why it is not sent, or null: it goes. */
  withheld: WithheldReason | null;
}

/**
 * Why a delivery prepared ahead is not sent at its instant: `recipient-gone`, the member has
 * left, or the device is no longer active or registered to the member's uid (it may have
 * changed hands); `answered`, a reminder's member answered the question after it was prepared.
 */
export type WithheldReason = 'recipient-gone' | 'answered';

/**
 * Planner settings for the due-delivery sender's connections. Each of its statements touches
 * a batch: a claim, record or release of up to 500 deliveries, a report of up to 1,000
 * notifications, a row of the budget. But a burst fills these tables in the minutes before
 * its instant: without statistics yet, the planner reads and sorts every due row to claim
 * 500; with them, it hashes whole tables to join 500 rows, a record of 500 results hashes the
 * whole pending backlog, and a report sorts every unreported notification. Either way each
 * statement costs in proportion to the burst, and the burst's drain its square. Index scans
 * and nested loops keep every statement to its batch, whatever the statistics say
 * (delivery.repository.test.ts holds the plans to that).
 */
export const batchPlannerSettings = {
  enable_seqscan: 'off',
  enable_bitmapscan: 'off',
  enable_hashjoin: 'off',
  enable_mergejoin: 'off',
} as const;

/** A delivery's place in the due index: when it is due, then its notification. */
export interface DueKey {
  sendAt: Date;
  notificationId: string;
}

interface ClaimRange {
  now: Date;
  until: Date;
  limit: number;
  leaseMs: number;
  /** Claims only deliveries from this key on (see `latestDueKey`); from the earliest when absent. */
  from?: DueKey | undefined;
}

/**
 * The latest due key of `known` and the deliveries claimed. A sender's next claim goes on
 * from there, so that it does not pass over the deliveries it holds leased once more.
 * Notification ids compare as PostgreSQL's uuids do: canonical lowercase text, byte by byte.
 * Instants are written to the millisecond (from JavaScript dates) and so read back whole; a
 * finer one read back cut to the millisecond makes the key earlier, so a claim from it
 * passes over more, never misses one.
 */
export function latestDueKey(known: DueKey | undefined, claimed: readonly DueKey[]): DueKey | undefined {
  let latest = known;
  for (const { sendAt, notificationId } of claimed) {
    const later =
      latest === undefined ||
      sendAt.getTime() > latest.sendAt.getTime() ||
      (sendAt.getTime() === latest.sendAt.getTime() && notificationId > latest.notificationId);
    if (later) latest = { sendAt, notificationId };
  }
  return latest;
}

/**
 * The claim in one statement: rows another sender is claiming are skipped (SKIP LOCKED),
 * and each claimed row is leased until `leaseMs` from `now`, so no lock is held while it is
 * sent. The lease is written to a column no index holds, so the row is rewritten on its own
 * page (a HOT update) without an index entry. Leased rows stay in the due index and are
 * passed over, each a visit to its row, unless the claim starts after them (`from`): in a
 * burst a sender holds up to 20,000, ahead of its instant. Run it on a connection with
 * `batchPlannerSettings`.
 */
export const claimStatement = ({ now, until, limit, leaseMs, from }: ClaimRange) => sql<{
  notification_id: string;
  token: string;
  member_id: string;
  attempts: number;
  send_at: Date;
  family_id: string;
  question_id: string;
  kind: PushKind;
  due_at: Date;
  cause_event_id: string | null;
  correlation_id: string | null;
  locale: Locale | null;
  text_ko: string | null;
  text_en: string | null;
  withheld: WithheldReason | null;
}>`
    with due as (
      select ctid from deliveries
      where status = 'pending' and next_attempt_at <= ${until}
        and (leased_until is null or leased_until <= ${now})
        ${from ? sql`and (next_attempt_at, notification_id) >= (${from.sendAt}, ${from.notificationId}::uuid)` : sql``}
      order by next_attempt_at, notification_id
      limit ${limit}
      for update skip locked),
    claimed as (
      -- Found again by physical position (a TID scan), which the row locks keep valid.
      update deliveries d set leased_until = ${new Date(now.getTime() + leaseMs)}
      from due where d.ctid = due.ctid
      returning d.notification_id, d.token, d.member_id, d.attempts, d.next_attempt_at as send_at)
    select c.notification_id, c.token, c.member_id, c.attempts, c.send_at,
           n.family_id, n.question_id, n.kind, n.due_at, n.cause_event_id, n.correlation_id,
           r.locale, q.text_ko, q.text_en,
           case when not coalesce(r.active and dv.active and dv.uid = r.uid, false) then 'recipient-gone'
                when n.kind = 'reminder' and exists (select from answers a
                  where a.family_id = n.family_id and a.question_id = n.question_id and a.member_id = c.member_id)
                then 'answered'
           end as withheld
    from claimed c
    join notifications n on n.notification_id = c.notification_id
    left join recipients r on r.family_id = n.family_id and r.member_id = c.member_id
    left join devices dv on dv.token = c.token
    left join questions q on q.family_id = n.family_id and q.question_id = n.question_id`;

/**
 * Claims up to `limit` pending deliveries due by `until`, earliest first (from `from`, if
 * given), across families (see `claimStatement`). If the sender dies before recording the
 * result, the row comes due again after the lease and is sent again; the notification id as
 * collapse key makes the device show it once.
 */
export async function claimDueDeliveries(claims: Db, range: ClaimRange): Promise<ClaimedDelivery[]> {
  const { rows } = await claimStatement(range).execute(claims);
  return rows.map((row) => ({
    notificationId: row.notification_id,
    token: row.token,
    memberId: row.member_id,
    familyId: row.family_id,
    questionId: row.question_id,
    kind: row.kind,
    dueAt: row.due_at,
    sendAt: row.send_at,
    cause:
      row.cause_event_id && row.correlation_id ? { id: row.cause_event_id, correlationId: row.correlation_id } : null,
    attempts: row.attempts,
    locale: row.locale ?? 'ko',
    question: row.text_ko !== null && row.text_en !== null ? { ko: row.text_ko, en: row.text_en } : null,
    withheld: row.withheld,
  }));
}

/**
 * A sender's claims over one round, until one finds nothing due: each claims what is due
 * within `aheadMs` of the clock when its turn comes. They are made one at a time, in the order
 * asked for, however many workers ask: a burst's claims ahead then take one core, not every
 * core, in the second before its instant, leaving the other to the API; and no claim passes
 * over the rows another of the round is locking. Each goes on from the latest due key the
 * round has claimed, so that the deliveries the round holds leased (claimed ahead, being sent,
 * being recorded) are not each passed over again. One that finds less than `limit` there
 * looks again from the earliest: a delivery due before that key (given back by a failed
 * worker, its lease run out, added within the lead) is claimed too, before the round ends.
 */
export function roundOfClaims(
  claims: Db,
  { limit, leaseMs, aheadMs, clock }: { limit: number; leaseMs: number; aheadMs: number; clock: () => Date },
) {
  let from: DueKey | undefined;
  const claimNext = async (): Promise<ClaimedDelivery[]> => {
    const now = clock();
    const range = { now, until: new Date(now.getTime() + aheadMs), leaseMs };
    let claimed = await claimDueDeliveries(claims, { ...range, limit, from });
    if (from !== undefined && claimed.length < limit) {
      const before = await claimDueDeliveries(claims, { ...range, limit: limit - claimed.length });
      claimed = [...claimed, ...before];
    }
    from = latestDueKey(from, claimed);
    return claimed;
  };
  let last: Promise<unknown> = Promise.resolve();
  return (): Promise<ClaimedDelivery[]> => {
    const claimed = last.then(claimNext);
    last = claimed.catch(() => {});
    return claimed;
  };
}

/**
 * Gives claimed deliveries back unsent: due again as they were before the claim. Run it on a
 * connection with `batchPlannerSettings`.
 */
export async function releaseDeliveries(db: Db, claimed: readonly ClaimedDelivery[]): Promise<void> {
  if (claimed.length === 0) return;
  await sql`
    update deliveries d set leased_until = null
    from unnest(
      ${claimed.map((delivery) => delivery.notificationId)}::uuid[],
      ${claimed.map((delivery) => delivery.token)}::text[]
    ) as released (notification_id, token)
    where d.notification_id = released.notification_id and d.token = released.token and d.status = 'pending'`.execute(
    db,
  );
}

export interface DeliveryResult {
  notificationId: string;
  familyId: string;
  token: string;
  memberId: string;
  status: DeliveryStatus;
  errorCode: string | null;
  errorMessage: string | null;
  /** Send attempts made for this delivery just now (0 or 1). */
  attempts: number;
  /** When a delivery left pending is due again; null for a final status. */
  nextAttemptAt: Date | null;
}

/**
 * Records what happened to each claimed delivery, in one statement, found by its key. Run it
 * on a connection with `batchPlannerSettings`.
 */
export const recordStatement = (results: readonly DeliveryResult[], now: Date) => {
  const column = <T>(pick: (result: DeliveryResult) => T) => results.map(pick);
  return sql`
    update deliveries
    set status = result.status,
        error_code = result.error_code,
        error_message = result.error_message,
        attempts = deliveries.attempts + result.attempts,
        next_attempt_at = coalesce(result.next_attempt_at, deliveries.next_attempt_at),
        leased_until = null,
        updated_at = ${now}
    from unnest(
      ${column((r) => r.notificationId)}::uuid[], ${column((r) => r.token)}::text[],
      ${column((r) => r.status)}::text[], ${column((r) => r.errorCode)}::text[],
      ${column((r) => r.errorMessage)}::text[], ${column((r) => r.attempts)}::int[],
      ${column((r) => r.nextAttemptAt)}::timestamptz[]
    ) as result (notification_id, token, status, error_code, error_message, attempts, next_attempt_at)
    where deliveries.notification_id = result.notification_id
      and deliveries.token = result.token
      and deliveries.status = 'pending'`;
};

/** Records each claimed delivery's result (see `recordStatement`); a delivery no longer pending is left as it is. */
export async function recordDeliveryResults(trx: Db, results: readonly DeliveryResult[], now: Date): Promise<void> {
  if (results.length === 0) return;
  await recordStatement(results, now).execute(trx);
}

/**
 * When the earliest pending delivery no sender holds is due (possibly past); null when there
 * is none. A lease that runs out (its sender died) is found by the senders' regular look.
 */
export async function nextDueAt(db: Db, now: Date): Promise<Date | null> {
  const row = await db
    .selectFrom('deliveries')
    .select('next_attempt_at')
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('leased_until', 'is', null), eb('leased_until', '<=', now)]))
    .orderBy('next_attempt_at')
    .limit(1)
    .executeTakeFirst();
  return row?.next_attempt_at ?? null;
}

/** Pending deliveries already due (the backlog) and due within `withinMs` (prepared, to come). */
export async function pendingDeliveries(
  db: Db,
  { now, withinMs }: { now: Date; withinMs: number },
): Promise<{ due: number; upcoming: number }> {
  const { rows } = await sql<{ due: string; upcoming: string }>`
    select count(*) filter (where next_attempt_at <= ${now}) as due,
           count(*) filter (where next_attempt_at > ${now}) as upcoming
    from deliveries
    where status = 'pending' and next_attempt_at <= ${new Date(now.getTime() + withinMs)}`.execute(db);
  return { due: Number(rows[0]?.due ?? 0), upcoming: Number(rows[0]?.upcoming ?? 0) };
}

/**
 * Adds deliveries to pushes prepared for the family but not yet due, for those of the
 * member's (or, with `token`, that one device's) active devices that have none: a member
 * who joins, or a device registered, within the lead gets the push at the instant like
 * everyone else. Only pushes to every member (the question, "everyone answered") qualify;
 * a reminder names its members when it is due.
 */
export async function addDeliveriesToPreparedPushes(
  db: Db,
  who: { familyId: string; memberId: string } | { uid: string; token: string },
  now: Date,
): Promise<void> {
  await db
    .insertInto('deliveries')
    .columns(['notification_id', 'token', 'member_id', 'status', 'attempts', 'next_attempt_at', 'updated_at'])
    .expression((eb) =>
      eb
        .selectFrom('recipients')
        .innerJoin('devices', 'devices.uid', 'recipients.uid')
        .innerJoin('notifications', 'notifications.family_id', 'recipients.family_id')
        .select([
          'notifications.notification_id',
          'devices.token',
          'recipients.member_id',
          sql<DeliveryStatus>`'pending'`.as('status'),
          sql<number>`0`.as('attempts'),
          'notifications.due_at',
          sql<Date>`cast(${now} as timestamptz)`.as('updated_at'),
        ])
        .where('recipients.active', '=', true)
        .where('devices.active', '=', true)
        .where('notifications.due_at', '>', now)
        .where('notifications.kind', 'in', ['question', 'complete'])
        .where(sql<boolean>`not (notifications.kind = any(recipients.muted_kinds))`)
        .$if('familyId' in who, (query) =>
          'familyId' in who
            ? query.where('recipients.family_id', '=', who.familyId).where('recipients.member_id', '=', who.memberId)
            : query,
        )
        .$if('uid' in who, (query) =>
          'uid' in who ? query.where('recipients.uid', '=', who.uid).where('devices.token', '=', who.token) : query,
        )
        // Serialized with an account erasure, as in `prepareNotification`.
        .forShare('recipients'),
    )
    .onConflict((conflict) => conflict.columns(['notification_id', 'token']).doNothing())
    .execute();
}
