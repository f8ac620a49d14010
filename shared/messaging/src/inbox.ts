import { AsyncLocalStorage } from 'node:async_hooks';
import type { Envelope } from '@haru/contracts';
import type { Kysely, Transaction } from 'kysely';
import type { MessagingTables } from './messaging-migrations.ts';
import { type OutboxTransaction, transactionWithOutbox } from './outbox.ts';

/**
 * Runs `effect` at most once per event: the event id is recorded in the inbox in the
 * same transaction as the effect, so a redelivered event finds it and does nothing,
 * and a crash before commit leaves neither behind. The effect may append to the outbox.
 * Resolves true when the effect ran, false for a duplicate.
 */
export async function handleOnce<DB extends MessagingTables>(
  db: Kysely<DB>,
  event: Pick<Envelope, 'id' | 'type'>,
  effect: (trx: OutboxTransaction<DB>) => Promise<void>,
): Promise<boolean> {
  const ran = await transactionWithOutbox(db, async (trx) => {
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
  if (!ran) {
    const handling = inboxFindings.getStore();
    if (handling) handling.duplicate = true;
  }
  return ran;
}

/** What the inbox found while the consumer ran one event's handler. */
const inboxFindings = new AsyncLocalStorage<{ duplicate: boolean }>();

/**
 * Runs a handler and says whether the inbox found its event handled before, so that the
 * consumer can count duplicates without every handler passing the finding back up.
 * Handlers that are idempotent without the inbox report "handled".
 */
export async function runReportingDuplicates(handler: () => Promise<void>): Promise<'handled' | 'duplicate'> {
  const handling = { duplicate: false };
  await inboxFindings.run(handling, handler);
  return handling.duplicate ? 'duplicate' : 'handled';
}
