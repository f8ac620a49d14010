import type { Envelope } from '@haru/contracts';
import type { Executor } from '@haru/db';
import type { MessagingTables } from './messaging-migrations.ts';

/**
 * Records events for publication in the caller's transaction, so that they are
 * published if and only if the state change that produced them commits.
 */
export async function appendToOutbox(trx: Executor<MessagingTables>, events: readonly Envelope[]): Promise<void> {
  if (events.length === 0) return;
  await trx
    .insertInto('outbox')
    .values(events.map((event) => ({ event_id: event.id, type: event.type, envelope: JSON.stringify(event) })))
    .execute();
}
