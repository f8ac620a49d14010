import type { Envelope } from '@haru/contracts';
import type { Kysely, Transaction } from 'kysely';
import type { MessagingTables } from './messaging-migrations.ts';
import { transactionWithOutbox } from './outbox.ts';

/**
 * Runs `effect` at most once per event: the event id is recorded in the inbox in the
 * same transaction as the effect, so a redelivered event finds it and does nothing,
 * and a crash before commit leaves neither behind. The effect may append to the outbox.
 * Resolves true when the effect ran, false for a duplicate.
 */
export async function handleOnce<DB extends MessagingTables>(
  db: Kysely<DB>,
  event: Pick<Envelope, 'id' | 'type'>,
  effect: (trx: Transaction<DB>) => Promise<void>,
): Promise<boolean> {
  return transactionWithOutbox(db, async (trx) => {
    const inbox = trx as unknown as Transaction<MessagingTables>;
    const recorded = await inbox
      .insertInto('inbox')
      .values({ message_id: event.id, type: event.type })
      .onConflict((conflict) => conflict.column('message_id').doNothing())
      .returning('message_id')
      .executeTakeFirst();
    if (!recorded) return false;
    await effect(trx);
    return true;
  });
}
