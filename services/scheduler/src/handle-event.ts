import type { DomainEvent } from '@haru/contracts';
import { handleOnce } from '@haru/messaging';
import type { Kysely, Transaction } from 'kysely';
import type { SchedulerDatabase } from './database.ts';
import { lockFamily } from './family-lock.ts';
import { applyScheduleEvent } from './family-schedule/apply-schedule-event.ts';
import { toInstant } from './instants.ts';
import {
  recordAnswer,
  recordDeparture,
  recordQuestionProgress,
} from './question-pushes/question-progress.repository.ts';
import { scheduleQuestionPushes } from './question-pushes/schedule-question-pushes.ts';

/**
 * The scheduler's consumer: each event's effect runs at most once (inbox) and converges
 * whatever the order of arrival. None of these emits an event directly; the due tick
 * announces what they put into the due-index, and reads answers and departures only
 * when a reminder comes due.
 */
export function createEventHandler({ db, now }: { db: Kysely<SchedulerDatabase>; now: () => Date }) {
  // Each effect runs with the family's events serialised (see `lockFamily`).
  const once = (event: DomainEvent, effect: (trx: Transaction<SchedulerDatabase>) => Promise<void>) =>
    handleOnce(db, event, async (trx) => {
      await lockFamily(trx, event.familyId);
      await effect(trx);
    });

  return async function handleEvent(event: DomainEvent): Promise<void> {
    switch (event.type) {
      case 'FamilyCreated':
      case 'ScheduleChanged':
        await once(event, async (trx) => {
          await applyScheduleEvent(trx, event, toInstant(now()));
          // Quiet hours may have changed, or the family's questions arrived before it.
          await scheduleQuestionPushes(trx, event.familyId, event);
        });
        return;
      case 'QuestionOpened':
        await once(event, async (trx) => {
          const { questionId, openedAt, requiredMemberIds } = event.data;
          const question = { familyId: event.familyId, questionId };
          await recordQuestionProgress(trx, question, { openedAt: new Date(openedAt), requiredMemberIds });
          await scheduleQuestionPushes(trx, event.familyId, event, questionId);
        });
        return;
      case 'FamilyQuestionCompleted':
        await once(event, async (trx) => {
          const question = { familyId: event.familyId, questionId: event.data.questionId };
          await recordQuestionProgress(trx, question, { completedAt: new Date(event.data.completedAt) });
          await scheduleQuestionPushes(trx, event.familyId, event, event.data.questionId);
        });
        return;
      case 'AnswerSubmitted':
        await once(event, async (trx) => {
          const { questionId, memberId } = event.data;
          await recordAnswer(trx, { familyId: event.familyId, questionId }, memberId);
        });
        return;
      case 'MemberLeft':
        await once(event, async (trx) => {
          await recordDeparture(trx, event.familyId, event.data.memberId);
        });
        return;
      default:
        // Not subscribed (see the topology); nothing to do if one arrives anyway.
        return;
    }
  };
}
