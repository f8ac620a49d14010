import type { DomainEvent } from '@haru/contracts';
import { lockForTransaction } from '@haru/db';
import { handleOnce, type OutboxTransaction } from '@haru/messaging';
import type { Kysely } from 'kysely';
import type { SchedulerDatabase } from './database.ts';
import type { FiredEvent } from './due-tick/due-tick.ts';
import { fireFamilyPushesDueNow } from './due-tick/fire-due-pushes.ts';
import { applyScheduleEvent } from './family-schedule/apply-schedule-event.ts';
import { toInstant } from './instants.ts';
import { recordQuestionProgress } from './question-pushes/question-progress.repository.ts';
import { scheduleQuestionPushes } from './question-pushes/schedule-question-pushes.ts';

/**
 * The scheduler's consumer: each event's effect runs at most once (inbox) and converges
 * whatever the order of arrival. What they put into the due-index is announced by the
 * due tick when it comes due, except a push due already (typically "everyone answered",
 * due as soon as the question completes), which the handler fires itself. Who answered is
 * not kept here: the projection is asked when a reminder comes due.
 */
export function createEventHandler({
  db,
  now,
  leadMs,
  announce = () => {},
}: {
  db: Kysely<SchedulerDatabase>;
  now: () => Date;
  /** How long before its instant a complete push is announced (SCHEDULER_LEAD_MS). */
  leadMs: number;
  /** Told of each push the handler fired, once its transaction committed (see `firedAnnouncer`). */
  announce?: (event: FiredEvent) => void;
}) {
  // Each effect runs with the family's events serialised: without it, FamilyCreated and
  // QuestionOpened handled at once would each miss the other's uncommitted row, and
  // neither would schedule the question's pushes. What it fired is announced once its
  // transaction has committed.
  const once = async (
    event: DomainEvent,
    effect: (trx: OutboxTransaction<SchedulerDatabase>, fired: FiredEvent[]) => Promise<void>,
  ) => {
    const fired: FiredEvent[] = [];
    await handleOnce(db, event, async (trx) => {
      await lockForTransaction(trx, 'scheduler', [event.familyId]);
      await effect(trx, fired);
    });
    for (const push of fired) announce(push);
  };
  /** Puts the pushes that follow the family's questions (or one) into the due-index, and fires those due already. */
  const scheduleAndFirePushes = async (
    trx: OutboxTransaction<SchedulerDatabase>,
    fired: FiredEvent[],
    event: DomainEvent,
    questionId?: string,
  ): Promise<void> => {
    await scheduleQuestionPushes(trx, event.familyId, event, questionId);
    const { events } = await fireFamilyPushesDueNow(trx, event.familyId, { now: now(), leadMs });
    fired.push(...events);
  };

  return async function handleEvent(event: DomainEvent): Promise<void> {
    switch (event.type) {
      case 'FamilyCreated':
      case 'ScheduleChanged':
        await once(event, async (trx, fired) => {
          const announced = await applyScheduleEvent(trx, event, toInstant(now()));
          if (announced) fired.push(announced);
          // Quiet hours or the reminder offset may have changed, or the family's questions arrived before it.
          await scheduleAndFirePushes(trx, fired, event);
        });
        return;
      case 'QuestionOpened':
      case 'QuestionRescheduled':
        await once(event, async (trx, fired) => {
          const { questionId, openedAt } = event.data;
          const question = { familyId: event.familyId, questionId };
          // A rescheduled question's later instant wins over the first (by the events' order).
          const version = new Date(event.occurredAt);
          await recordQuestionProgress(trx, question, { openedAt: new Date(openedAt), version });
          await scheduleAndFirePushes(trx, fired, event, questionId);
        });
        return;
      case 'FamilyQuestionCompleted':
        await once(event, async (trx, fired) => {
          const question = { familyId: event.familyId, questionId: event.data.questionId };
          await recordQuestionProgress(trx, question, { completedAt: new Date(event.data.completedAt) });
          await scheduleAndFirePushes(trx, fired, event, event.data.questionId);
        });
        return;
      default:
        // Not subscribed (see the topology); nothing to do if one arrives anyway.
        return;
    }
  };
}
