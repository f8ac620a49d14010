// Frozen in time: a later change is a new migration, never an edit of this one.
import { type Kysely, sql } from 'kysely';

/**
 * A claimed delivery is leased in a column of its own, which no index holds, instead of
 * being made due again later: the claim then rewrites the row on its own page (a HOT update)
 * and writes no index entry, where moving `next_attempt_at` wrote one into each of the
 * table's three indexes. Pages are filled to 45 %, so that every delivery prepared on a page
 * has room there for its leased version.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table deliveries add column leased_until timestamptz`.execute(db);
  await sql`alter table deliveries set (fillfactor = 45)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // A lease still running is kept as it was before: the delivery is due again when it ends.
  await sql`
    update deliveries set next_attempt_at = leased_until
    where status = 'pending' and leased_until > next_attempt_at`.execute(db);
  await sql`alter table deliveries reset (fillfactor)`.execute(db);
  await sql`alter table deliveries drop column leased_until`.execute(db);
}
