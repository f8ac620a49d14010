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
  // The whole batch as one JSON parameter: a tick's hundreds of events cost one statement
  // with one parameter to parse and plan, not three parameters per row.
  await sql`
    insert into outbox (event_id, type, envelope)
    select (event->>'id')::uuid, event->>'type', event
    from jsonb_array_elements(${JSON.stringify(events)}::jsonb) with ordinality as batch(event, position)
    order by position`.execute(trx);
}
