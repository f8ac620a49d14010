import type { DomainEvent } from '@haru/contracts';
import { handleOnce } from '@haru/messaging';
import type { Kysely, Transaction } from 'kysely';
import type { SchedulerDatabase } from './database.ts';
import { fireFamilyPushesDueNow } from './due-tick/fire-due-pushes.ts';
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
 * whatever the order of arrival. What they put into the due-index is announced by the
 * due tick when it comes due, except a push due already (typically "everyone answered",
 * due as soon as the question completes), which the handler fires itself; answers and
 * departures are read only when a reminder comes due.
 */
export function createEventHandler({
  db,
  now,
  catchUpWindowMinutes,
}: {
  db: Kysely<SchedulerDatabase>;
  now: () => Date;
  catchUpWindowMinutes: number;
}) {
  // Each effect runs with the family's events serialised (see `lockFamily`).
  const once = (event: DomainEvent, effect: (trx: Transaction<SchedulerDatabase>) => Promise<void>) =>
    handleOnce(db, event, async (trx) => {
      await lockFamily(trx, event.familyId);
      await effect(trx);
    });
  /** Puts the pushes that follow the family's questions (or one) into the due-index, and fires those due already. */
  const scheduleAndFirePushes = async (
    trx: Transaction<SchedulerDatabase>,
    event: DomainEvent,
    questionId?: string,
  ): Promise<void> => {
    await scheduleQuestionPushes(trx, event.familyId, event, questionId);
    await fireFamilyPushesDueNow(trx, event.familyId, { now: now(), catchUpWindowMinutes });
  };

  return async function handleEvent(event: DomainEvent): Promise<void> {
    switch (event.type) {
      case 'FamilyCreated':
      case 'ScheduleChanged':
        await once(event, async (trx) => {
          await applyScheduleEvent(trx, event, toInstant(now()));
          // Quiet hours may have changed, or the family's questions arrived before it.
          await scheduleAndFirePushes(trx, event);
        });
        return;
      case 'QuestionOpened':
        await once(event, async (trx) => {
          const { questionId, openedAt, requiredMemberIds } = event.data;
          const question = { familyId: event.familyId, questionId };
          await recordQuestionProgress(trx, question, { openedAt: new Date(openedAt), requiredMemberIds });
          await scheduleAndFirePushes(trx, event, questionId);
        });
        return;
      case 'FamilyQuestionCompleted':
        await once(event, async (trx) => {
          const question = { familyId: event.familyId, questionId: event.data.questionId };
          await recordQuestionProgress(trx, question, { completedAt: new Date(event.data.completedAt) });
          await scheduleAndFirePushes(trx, event, event.data.questionId);
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
