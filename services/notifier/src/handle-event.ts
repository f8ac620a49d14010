import type { DomainEvent } from '@haru/contracts';
import type { Logger } from '@haru/observability';
import type { Kysely } from 'kysely';
import type { NotifierDatabase } from './database.ts';
import { preparePush, reschedulePush } from './notifications/prepare-push.ts';
import { recordAnswer } from './questions/answer.repository.ts';
import { storeQuestion } from './questions/question.repository.ts';
import { handleMemberEvent } from './recipients/handle-member-event.ts';

export interface EventHandlerDeps {
  db: Kysely<NotifierDatabase>;
  logger: Logger;
  clock: () => Date;
  /** Tells this replica's due-delivery sender of deliveries due at an instant. */
  wake: (at: Date) => void;
}

/**
 * Routes each event of the notifier's queue to its handler. Every handler converges
 * under duplicates and reordering; a throw leaves the event on the queue for a retry.
 * Pushes are prepared, never sent, here: each is due at its instant (a question's opening,
 * the end of quiet hours), mostly minutes ahead, and the due-delivery sender sends it then.
 * Preparing is not wrapped in the inbox (`handleOnce`): the notification row is the idempotency.
 */
export function createEventHandler(deps: EventHandlerDeps): (event: DomainEvent) => Promise<void> {
  const { db, clock } = deps;
  return async function handleEvent(event) {
    switch (event.type) {
      case 'MemberJoined':
      case 'MemberLeft':
      case 'MemberPreferencesChanged':
        return handleMemberEvent(db, event, clock());
      case 'QuestionOpened': {
        const { questionId, text, openedAt } = event.data;
        // Kept for the pushes that quote it: this one, its retries and the reminder; and its
        // instant, which a QuestionRescheduled handled first may have moved already.
        const version = new Date(event.occurredAt);
        const opensAt = new Date(openedAt);
        const dueAt = await storeQuestion(db, { familyId: event.familyId, questionId, text, opensAt, version });
        return preparePush(deps, { cause: event, kind: 'question', questionId, memberIds: null, dueAt });
      }
      case 'QuestionRescheduled':
        return reschedulePush(deps, event);
      case 'AnswerSubmitted': {
        // A reminder prepared ahead is not sent to a member who has answered by its instant.
        const { questionId, memberId, answeredAt } = event.data;
        return recordAnswer(db, { familyId: event.familyId, questionId, memberId, answeredAt: new Date(answeredAt) });
      }
      case 'DueAndComplete': {
        const { questionId, dueAt } = event.data;
        return preparePush(deps, {
          cause: event,
          kind: 'complete',
          questionId,
          memberIds: null,
          dueAt: new Date(dueAt),
        });
      }
      case 'ReminderDue': {
        const { questionId, memberIds, dueAt } = event.data;
        return preparePush(deps, { cause: event, kind: 'reminder', questionId, memberIds, dueAt: new Date(dueAt) });
      }
      default:
        // Not subscribed (see `subscriptions.notifier`); nothing to do if one strays in.
        deps.logger.debug({ eventId: event.id, type: event.type }, 'event ignored');
    }
  };
}
