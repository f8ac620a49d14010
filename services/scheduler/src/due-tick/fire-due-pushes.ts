import { causedBy, createEvent } from '@haru/contracts';
import { appendToOutbox } from '@haru/messaging';
import type { Kysely } from 'kysely';
import type { SchedulerDatabase } from '../database.ts';
import type { FireOptions } from './fire-due-questions.ts';
import { recordFired } from './fired.repository.ts';

/**
 * One batch of the push tick, in one transaction: claims pending pushes that are due
 * (SKIP LOCKED), records them in the fire ledger, appends their events to the outbox
 * and removes them from the due-index. The event is traced to the event that made the
 * push due (the question opening or completing).
 */
export async function fireDuePushes(
  db: Kysely<SchedulerDatabase>,
  { now, batchSize }: FireOptions,
): Promise<{ claimed: number; fired: number }> {
  return db.transaction().execute(async (trx) => {
    const due = await trx
      .selectFrom('pending_push')
      .selectAll()
      // Only "complete" for now; reminders will be claimed here once they are scheduled.
      .where('kind', '=', 'complete')
      .where('due_at', '<=', now)
      .orderBy('due_at')
      .limit(batchSize)
      .forUpdate()
      .skipLocked()
      .execute();
    if (due.length === 0) return { claimed: 0, fired: 0 };

    const events = await recordFired(
      trx,
      due.map((push) => {
        const context = causedBy({ id: push.causation_id, correlationId: push.correlation_id }, now);
        const data = { questionId: push.question_id, dueAt: push.due_at.toISOString() };
        const event = createEvent('DueAndComplete', push.family_id, data, context);
        return {
          familyId: push.family_id,
          subject: push.question_id,
          kind: 'complete' as const,
          dueAt: push.due_at,
          event,
        };
      }),
    );
    await appendToOutbox(trx, events);
    await trx
      .deleteFrom('pending_push')
      .where('kind', '=', 'complete')
      .where(({ eb, refTuple, tuple }) =>
        eb(
          refTuple('family_id', 'question_id'),
          'in',
          due.map((push) => tuple(push.family_id, push.question_id)),
        ),
      )
      .execute();
    return { claimed: due.length, fired: events.length };
  });
}
