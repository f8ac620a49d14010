import { type DomainEvent, type EventOf, notificationIdFor, type PushKind } from '@haru/contracts';
import type { Kysely } from 'kysely';
import type { NotifierDatabase } from '../database.ts';
import { storeQuestion } from '../questions/question.repository.ts';
import { moveUnsentPush, prepareNotification } from './notification.repository.ts';

/** A push an event asked for. */
export interface DuePush {
  /** The event that asked for it: names the family and causes the events emitted about it. */
  cause: DomainEvent;
  kind: PushKind;
  questionId: string;
  /** Only these members (a reminder), or null for every active member. */
  memberIds: readonly string[] | null;
  /** The family's instant: the push goes out then (at once if it has passed). */
  dueAt: Date;
}

/**
 * Prepares a push, once however often its event is delivered: the notification and one
 * delivery per recipient device, due at the push's instant. The due-delivery sender sends
 * them then; `wake` tells this process's sender when that is, so a push due now goes at once.
 */
export async function preparePush(
  { db, clock, wake }: { db: Kysely<NotifierDatabase>; clock: () => Date; wake: (at: Date) => void },
  push: DuePush,
): Promise<void> {
  const { cause, kind, questionId, memberIds, dueAt } = push;
  const familyId = cause.familyId;
  const notificationId = notificationIdFor(familyId, questionId, kind);
  await db
    .transaction()
    .execute((trx) =>
      prepareNotification(trx, { notificationId, familyId, questionId, kind, memberIds, dueAt, cause }, clock()),
    );
  wake(dueAt);
}

/**
 * A question prepared ahead whose instant moved before it came: its push moves with it (the
 * deliveries not sent yet). Handled before its QuestionOpened, it is kept with the question,
 * and the push is prepared at the new instant when QuestionOpened comes.
 */
export async function reschedulePush(
  { db, wake }: { db: Kysely<NotifierDatabase>; wake: (at: Date) => void },
  event: EventOf<'QuestionRescheduled'>,
): Promise<void> {
  const { questionId, text, openedAt } = event.data;
  const familyId = event.familyId;
  const dueAt = await db.transaction().execute(async (trx) => {
    const opensAt = await storeQuestion(trx, {
      familyId,
      questionId,
      text,
      opensAt: new Date(openedAt),
      version: new Date(event.occurredAt),
    });
    await moveUnsentPush(trx, notificationIdFor(familyId, questionId, 'question'), opensAt);
    return opensAt;
  });
  wake(dueAt);
}
