import { causedBy, createEvent, type EventOf } from '@haru/contracts';
import { appendToOutbox } from '@haru/messaging';
import type { Kysely } from 'kysely';
import type { SchedulerDatabase } from '../database.ts';
import { toInstant } from '../instants.ts';
import { findReminderAudiences, questionKey } from '../question-pushes/question-progress.repository.ts';
import { decideReminder } from '../schedule/decide-reminder.ts';
import type { FireOptions } from './fire-due-questions.ts';
import { type Firing, recordFired, recordSkipped, type Skip } from './fired.repository.ts';

const nobody = { requiredMemberIds: [], answeredMemberIds: [], departedMemberIds: [], complete: false };

/**
 * One batch of the push tick, in one transaction: claims pending pushes that are due
 * (SKIP LOCKED), decides each ("complete" always goes out; a reminder goes to whoever
 * has neither answered nor left, or is skipped), records them in the fire ledger,
 * appends the events to the outbox and removes the pushes from the due-index. Each
 * event is traced to the event that made its push due (the question opening or completing).
 */
export async function fireDuePushes(
  db: Kysely<SchedulerDatabase>,
  { now, batchSize, catchUpWindowMinutes }: FireOptions & { catchUpWindowMinutes: number },
): Promise<{
  claimed: number;
  fired: number;
  skipped: number;
  events: Array<EventOf<'DueAndComplete' | 'ReminderDue'>>;
}> {
  return db.transaction().execute(async (trx) => {
    const due = await trx
      .selectFrom('pending_push')
      .selectAll()
      .where('due_at', '<=', now)
      .orderBy('due_at')
      .limit(batchSize)
      .forUpdate()
      .skipLocked()
      .execute();
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
  });
}
