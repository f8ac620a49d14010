import { type DomainEvent, notificationIdFor, type PushKind } from '@haru/contracts';
import type { Kysely } from 'kysely';
import type { NotifierDatabase } from '../database.ts';
import { prepareNotification } from './notification-repository.ts';

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
