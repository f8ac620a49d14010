import type { DomainEvent } from '@haru/contracts';
import { type DeliveryDeps, deliverNotification } from './notifications/deliver-notification.ts';
import { storeQuestion } from './questions/question-repository.ts';
import { handleMemberEvent } from './recipients/handle-member-event.ts';

/**
 * Routes each event of the notifier's queue to its handler. Every handler converges
 * under duplicates and reordering; a throw leaves the event on the queue for a retry.
 * Pushes are not wrapped in the inbox (`handleOnce`): their delivery rows are the
 * idempotency, and a redelivered event must still send what it had not claimed or sent.
 */
export function createEventHandler(deps: DeliveryDeps): (event: DomainEvent) => Promise<void> {
  const { db, clock } = deps;
  return async function handleEvent(event) {
    switch (event.type) {
      case 'MemberJoined':
      case 'MemberLeft':
        return handleMemberEvent(db, event, clock());
      case 'QuestionOpened': {
        const { questionId, text } = event.data;
        // Kept for the pushes that quote it: this one, its retries and the reminder.
        await storeQuestion(db, { familyId: event.familyId, questionId, text });
        return deliverNotification(deps, { cause: event, kind: 'question', questionId, memberIds: null });
      }
      case 'DueAndComplete':
        return deliverNotification(deps, {
          cause: event,
          kind: 'complete',
          questionId: event.data.questionId,
          memberIds: null,
        });
      case 'ReminderDue': {
        const { questionId, memberIds } = event.data;
        return deliverNotification(deps, { cause: event, kind: 'reminder', questionId, memberIds });
      }
      default:
        // Not subscribed (see `subscriptions.notifier`); nothing to do if one strays in.
        deps.logger.debug({ eventId: event.id, type: event.type }, 'event ignored');
    }
  };
}
