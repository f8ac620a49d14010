import type { DomainEvent } from '@haru/contracts';
import { handleOnce } from '@haru/messaging';
import type { Kysely } from 'kysely';
import { recordQuestionProgress, scheduleCompletePushes } from './complete-push/complete-push.repository.ts';
import type { SchedulerDatabase } from './database.ts';
import { applyScheduleEvent } from './family-schedule/apply-schedule-event.ts';
import { toInstant } from './instants.ts';

/**
 * The scheduler's consumer: each event's effect runs at most once (inbox) and converges
 * whatever the order of arrival. None of these emits an event directly; the due tick
 * announces what they put into the due-index.
 */
export function createEventHandler({ db, now }: { db: Kysely<SchedulerDatabase>; now: () => Date }) {
  return async function handleEvent(event: DomainEvent): Promise<void> {
    switch (event.type) {
      case 'FamilyCreated':
      case 'ScheduleChanged':
        await handleOnce(db, event, async (trx) => {
          await applyScheduleEvent(trx, event, toInstant(now()));
          // Quiet hours may have changed, or the family's questions arrived before it.
          await scheduleCompletePushes(trx, event.familyId, event);
        });
        return;
      case 'QuestionOpened':
        await handleOnce(db, event, async (trx) => {
          const question = { familyId: event.familyId, questionId: event.data.questionId };
          await recordQuestionProgress(trx, question, { openedAt: new Date(event.data.openedAt) });
          await scheduleCompletePushes(trx, event.familyId, event, event.data.questionId);
        });
        return;
      case 'FamilyQuestionCompleted':
        await handleOnce(db, event, async (trx) => {
          const question = { familyId: event.familyId, questionId: event.data.questionId };
          await recordQuestionProgress(trx, question, { completedAt: new Date(event.data.completedAt) });
          await scheduleCompletePushes(trx, event.familyId, event, event.data.questionId);
        });
        return;
      default:
        // Not subscribed (see the topology); nothing to do if one arrives anyway.
        return;
    }
  };
}
