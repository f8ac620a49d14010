import { randomUUID } from 'node:crypto';
import type { Executor } from '@haru/db';
import type { NotifierDatabase } from '../../src/database.ts';

export interface PendingDelivery {
  token: string;
  /** Due this long after `now` (negative: already due). */
  dueInMs: number;
  /** Held by a sender until this long after `now`; unclaimed when absent. */
  leasedForMs?: number;
}

/** A question push due at `now`, with pending deliveries due around it; resolves with its id. */
export async function insertPendingDeliveries(
  db: Executor<NotifierDatabase>,
  now: Date,
  deliveries: readonly PendingDelivery[],
): Promise<string> {
  const at = (ms: number) => new Date(now.getTime() + ms);
  const notificationId = randomUUID();
  await db
    .insertInto('notifications')
    .values({
      notification_id: notificationId,
      family_id: randomUUID(),
      question_id: randomUUID(),
      kind: 'question',
      created_at: now,
      due_at: now,
    })
    .execute();
  await db
    .insertInto('deliveries')
    .values(
      deliveries.map(({ token, dueInMs, leasedForMs }) => ({
        notification_id: notificationId,
        token,
        member_id: randomUUID(),
        status: 'pending' as const,
        attempts: 0,
        next_attempt_at: at(dueInMs),
        leased_until: leasedForMs === undefined ? null : at(leasedForMs),
        updated_at: now,
      })),
    )
    .execute();
  return notificationId;
}
