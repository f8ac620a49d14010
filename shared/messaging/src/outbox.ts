import type { Envelope } from '@haru/contracts';
import type { Executor } from '@haru/db';
import { sql } from 'kysely';
import type { MessagingTables } from './messaging-migrations.ts';

/**
 * Records events for publication in the caller's transaction, so that they are
 * published if and only if the state change that produced them commits.
 */
export async function appendToOutbox(trx: Executor<MessagingTables>, events: readonly Envelope[]): Promise<void> {
  if (events.length === 0) return;
  await outboxInsert(events).execute(trx);
}

/**
 * The statement that puts events on the outbox, for a state change written as one
 * statement (`with changed as (insert …) ${outboxInsert(events)}`), atomic without a
 * transaction around it. The whole batch is one JSON parameter: a tick's hundreds of
 * events cost one parameter to parse and plan, not three per row.
 */
export const outboxInsert = (events: readonly Envelope[]) => sql`
  insert into outbox (event_id, type, envelope)
  select (event->>'id')::uuid, event->>'type', event
  from jsonb_array_elements(${JSON.stringify(events)}::jsonb) with ordinality as batch(event, position)
  order by position`;
