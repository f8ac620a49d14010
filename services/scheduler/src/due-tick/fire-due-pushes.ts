import { causedBy, createEvent, type EventOf } from '@haru/contracts';
import { appendToOutbox, type OutboxTransaction, transactionWithOutbox } from '@haru/messaging';
import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import type { SchedulerDatabase } from '../database.ts';
import { toInstant } from '../instants.ts';
import { type AwaitedMembers, questionKey } from '../question-pushes/awaited-members.ts';
import type { PendingPushTable } from '../question-pushes/pending-push.table.ts';
import { decideReminder, isStale } from '../schedule/decide-reminder.ts';
import type { FireOptions, HorizonFireOptions } from './fire-due-questions.ts';
import { type Firing, recordFired, recordSkipped, type Skip } from './fired.repository.ts';

/** What a batch of pushes came to; the events announced let the caller observe each push's lateness. */
export interface FiredPushes {
  /** Pushes settled: fired or skipped (a reminder left waiting is not counted). */
  claimed: number;
  fired: number;
  skipped: number;
  events: Array<EventOf<'DueAndComplete' | 'ReminderDue'>>;
}

type PendingPush = Selectable<PendingPushTable>;
type Fired = EventOf<'DueAndComplete'> | EventOf<'ReminderDue'>;

/**
 * One batch of "everyone answered" pushes, in one transaction: claims those whose instant
 * comes within the lead (SKIP LOCKED) and announces them. They stay due whatever happens
 * meanwhile, and the notifier sends each at its instant.
 */
export async function fireDueCompletePushes(
  db: Kysely<SchedulerDatabase>,
  { now, batchSize, leadMs }: FireOptions,
): Promise<FiredPushes> {
  return transactionWithOutbox(db, async (trx) => {
    const due = await claimDueCompletePushes(trx, now, leadMs).orderBy('due_at').limit(batchSize).execute();
    return settle(trx, due, { firings: due.map((push) => completeFiring(push, now)), skips: [] });
  });
}

/**
 * Fires a family's "everyone answered" push when it is due already, in the caller's
 * transaction: a handler that has just made it due sends it at once rather than leaving
 * it to the next tick. A push a tick holds is left to that tick; the fire ledger
 * announces each push once whoever fires it.
 */
export async function fireFamilyPushesDueNow(
  trx: OutboxTransaction<SchedulerDatabase>,
  familyId: string,
  { now, leadMs }: { now: Date; leadMs: number },
): Promise<FiredPushes> {
  const due = await claimDueCompletePushes(trx, now, leadMs).where('family_id', '=', familyId).execute();
  return settle(trx, due, { firings: due.map((push) => completeFiring(push, now)), skips: [] });
}

/**
 * One batch of reminders, in one transaction: claims those due by `horizon` (the end of the
 * lead, or later for a crowded minute; SKIP LOCKED) of a question already open, and asks the
 * projection whom each still awaits, now, not when it was scheduled three hours before. A reminder goes to them, and
 * the notifier sends it at its instant to those who have not answered by then; or it is
 * skipped: stale, complete (a question the scheduler knows complete already is not asked
 * about), or nobody awaited. One the projection has not seen open stays due for a later
 * tick. When the projection cannot be asked, the batch rolls back and the reminders wait;
 * "everyone answered" pushes are claimed apart and never wait for it.
 */
export async function fireDueReminders(
  db: Kysely<SchedulerDatabase>,
  {
    now,
    batchSize,
    catchUpWindowMinutes,
    horizon,
    awaitedMembers,
  }: HorizonFireOptions & { awaitedMembers: AwaitedMembers },
): Promise<FiredPushes> {
  return transactionWithOutbox(db, async (trx) => {
    const due = await trx
      .selectFrom('pending_push as p')
      .selectAll('p')
      .select(
        sql<boolean>`exists (select from question_progress q
          where q.family_id = p.family_id and q.question_id = p.question_id and q.completed_at is not null)`.as(
          'complete',
        ),
      )
      .where('kind', '=', 'reminder')
      .where('due_at', '<=', horizon)
      // Never before its question opens: until then a reschedule may still move the reminder.
      .where(
        sql<boolean>`exists (select from question_progress q
          where q.family_id = p.family_id and q.question_id = p.question_id and q.opened_at <= ${now})`,
      )
      .orderBy('due_at')
      .limit(batchSize)
      .forUpdate()
      .skipLocked()
      .execute();
    const window = { now: toInstant(now), catchUpWindowMinutes };
    // Completion the scheduler has heard of already settles a reminder without asking.
    const toAsk = due.filter((push) => !push.complete && !isStale(toInstant(push.due_at), window));
    const audiences = await (toAsk.length > 0 ? awaitedMembers(toAsk.map(keyOf)) : new Map());

    const firings: Firing<Fired>[] = [];
    const skips: Skip[] = [];
    const decided: PendingPush[] = [];
    for (const push of due) {
      const audience = push.complete ? completed : audiences.get(questionKey(keyOf(push)));
      const decision = decideReminder(audience, { ...window, dueAt: toInstant(push.due_at) });
      if ('wait' in decision) continue;
      decided.push(push);
      if ('skip' in decision) {
        skips.push({ ...settlementOf(push), reason: decision.skip });
        continue;
      }
      const data = { questionId: push.question_id, memberIds: decision.remind, dueAt: push.due_at.toISOString() };
      firings.push({
        ...settlementOf(push),
        event: createEvent('ReminderDue', push.family_id, data, causeOf(push, now)),
      });
    }
    return settle(trx, decided, { firings, skips });
  });
}

const completed = { complete: true, awaitedMemberIds: [] };

const claimDueCompletePushes = (trx: Transaction<SchedulerDatabase>, now: Date, leadMs: number) =>
  trx
    .selectFrom('pending_push')
    .selectAll()
    .where('kind', '=', 'complete')
    .where('due_at', '<=', new Date(now.getTime() + leadMs))
    .forUpdate()
    .skipLocked();

const keyOf = (push: PendingPush) => ({ familyId: push.family_id, questionId: push.question_id });
const settlementOf = (push: PendingPush) => ({
  familyId: push.family_id,
  subject: push.question_id,
  kind: push.kind,
  dueAt: push.due_at,
});
/** Each event is traced to the event that made its push due (the question opening or completing). */
const causeOf = (push: PendingPush, now: Date) =>
  causedBy({ id: push.causation_id, correlationId: push.correlation_id }, now);

const completeFiring = (push: PendingPush, now: Date): Firing<Fired> => ({
  ...settlementOf(push),
  event: createEvent(
    'DueAndComplete',
    push.family_id,
    { questionId: push.question_id, dueAt: push.due_at.toISOString() },
    causeOf(push, now),
  ),
});

/**
 * Records the decided pushes in the fire ledger, appends the events to the outbox and
 * removes the pushes from the due-index.
 */
async function settle(
  trx: OutboxTransaction<SchedulerDatabase>,
  decided: readonly PendingPush[],
  { firings, skips }: { firings: Firing<Fired>[]; skips: Skip[] },
): Promise<FiredPushes> {
  if (decided.length === 0) return { claimed: 0, fired: 0, skipped: 0, events: [] };
  const events = await recordFired(trx, firings);
  await recordSkipped(trx, skips);
  await appendToOutbox(trx, events);
  await trx
    .deleteFrom('pending_push')
    .where(({ eb, refTuple, tuple }) =>
      eb(
        refTuple('family_id', 'question_id', 'kind'),
        'in',
        decided.map((push) => tuple(push.family_id, push.question_id, push.kind)),
      ),
    )
    .execute();
  return { claimed: decided.length, fired: events.length, skipped: skips.length, events };
}
