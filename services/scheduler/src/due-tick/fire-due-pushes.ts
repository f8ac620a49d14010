import { causedBy, createEvent, type EventOf } from '@haru/contracts';
import { appendToOutbox, transactionWithOutbox } from '@haru/messaging';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { SchedulerDatabase } from '../database.ts';
import { toInstant } from '../instants.ts';
import type { PendingPushTable } from '../question-pushes/pending-push.table.ts';
import { findReminderAudiences, questionKey } from '../question-pushes/question-progress.repository.ts';
import { decideReminder } from '../schedule/decide-reminder.ts';
import type { FireOptions } from './fire-due-questions.ts';
import { type Firing, recordFired, recordSkipped, type Skip } from './fired.repository.ts';

/** What a batch of pushes came to; the events announced let the caller observe each push's lateness. */
export interface FiredPushes {
  claimed: number;
  fired: number;
  skipped: number;
  events: Array<EventOf<'DueAndComplete' | 'ReminderDue'>>;
}

const nobody = { requiredMemberIds: [], answeredMemberIds: [], departedMemberIds: [], complete: false };

/**
 * One batch of the push tick, in one transaction: claims pending pushes that are due
 * (SKIP LOCKED) and fires them (see `firePushes`).
 */
export async function fireDuePushes(
  db: Kysely<SchedulerDatabase>,
  { now, batchSize, catchUpWindowMinutes, leadMs }: FireOptions,
): Promise<FiredPushes> {
  return transactionWithOutbox(db, async (trx) => {
    const due = await claimDuePushes(trx, now, leadMs).orderBy('due_at').limit(batchSize).execute();
    return firePushes(trx, due, { now, catchUpWindowMinutes });
  });
}

/**
 * Fires a family's pushes that are due already, in the caller's transaction: a handler
 * that has just made the "everyone answered" push due sends it at once rather than
 * leaving it to the next tick. A push a tick holds is left to that tick; the fire ledger
 * announces each push once whoever fires it.
 */
export async function fireFamilyPushesDueNow(
  trx: Transaction<SchedulerDatabase>,
  familyId: string,
  { now, catchUpWindowMinutes, leadMs }: { now: Date; catchUpWindowMinutes: number; leadMs: number },
): Promise<FiredPushes> {
  const due = await claimDuePushes(trx, now, leadMs).where('family_id', '=', familyId).execute();
  return firePushes(trx, due, { now, catchUpWindowMinutes });
}

/**
 * Pushes to announce now: a complete push whose instant comes within the lead (it stays
 * due whatever happens meanwhile, and the notifier sends it at its instant), a reminder
 * once it is due (whom it reminds is decided then, from the answers so far).
 */
const claimDuePushes = (trx: Transaction<SchedulerDatabase>, now: Date, leadMs: number) =>
  trx
    .selectFrom('pending_push')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb.and([eb('kind', '=', 'complete'), eb('due_at', '<=', new Date(now.getTime() + leadMs))]),
        eb.and([eb('kind', '=', 'reminder'), eb('due_at', '<=', now)]),
      ]),
    )
    .forUpdate()
    .skipLocked();

/**
 * Decides each claimed push ("complete" always goes out; a reminder goes to whoever has
 * neither answered nor left, or is skipped), records them in the fire ledger, appends
 * the events to the outbox and removes the pushes from the due-index. Each event is
 * traced to the event that made its push due (the question opening or completing).
 */
async function firePushes(
  trx: Transaction<SchedulerDatabase>,
  due: readonly Selectable<PendingPushTable>[],
  { now, catchUpWindowMinutes }: { now: Date; catchUpWindowMinutes: number },
): Promise<FiredPushes> {
  if (due.length === 0) return { claimed: 0, fired: 0, skipped: 0, events: [] };

  // Answers and departures are read now, when the reminder comes due, not when it was scheduled.
  const audiences = await findReminderAudiences(
    trx,
    due
      .filter((push) => push.kind === 'reminder')
      .map((push) => ({ familyId: push.family_id, questionId: push.question_id })),
  );
  const firings: Firing<EventOf<'DueAndComplete'> | EventOf<'ReminderDue'>>[] = [];
  const skips: Skip[] = [];
  for (const push of due) {
    const settlement = { familyId: push.family_id, subject: push.question_id, kind: push.kind, dueAt: push.due_at };
    const context = causedBy({ id: push.causation_id, correlationId: push.correlation_id }, now);
    const dueAt = push.due_at.toISOString();
    if (push.kind === 'complete') {
      const event = createEvent('DueAndComplete', push.family_id, { questionId: push.question_id, dueAt }, context);
      firings.push({ ...settlement, event });
      continue;
    }
    const question = { familyId: push.family_id, questionId: push.question_id };
    const decision = decideReminder(audiences.get(questionKey(question)) ?? nobody, {
      dueAt: toInstant(push.due_at),
      now: toInstant(now),
      catchUpWindowMinutes,
    });
    if ('skip' in decision) {
      skips.push({ ...settlement, reason: decision.skip });
      continue;
    }
    const data = { questionId: push.question_id, memberIds: decision.remind, dueAt };
    firings.push({ ...settlement, event: createEvent('ReminderDue', push.family_id, data, context) });
  }

  const events = await recordFired(trx, firings);
  await recordSkipped(trx, skips);
  await appendToOutbox(trx, events);
  await trx
    .deleteFrom('pending_push')
    .where(({ eb, refTuple, tuple }) =>
      eb(
        refTuple('family_id', 'question_id', 'kind'),
        'in',
        due.map((push) => tuple(push.family_id, push.question_id, push.kind)),
      ),
    )
    .execute();
  return { claimed: due.length, fired: events.length, skipped: skips.length, events };
}
