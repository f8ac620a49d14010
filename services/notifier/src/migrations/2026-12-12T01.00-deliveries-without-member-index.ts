// Frozen in time: a later change is a new migration, never an edit of this one.
import { type Kysely, sql } from 'kysely';

/**
 * Deliveries are no longer indexed by member. Each delivery's record (pending to sent) writes
 * a new version of the row, and with it an entry in every index the row has: the member's
 * cost about a third of the record's CPU in PostgreSQL (bench/due-deliveries), for an
 * account's export and erasure only. The export finds a member's deliveries through their
 * families' notifications (by the primary key, which begins with the notification). The
 * erasure reads the table, as it already did for the account's device tokens, which no
 * index holds.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop index deliveries_member`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`create index deliveries_member on deliveries (member_id)`.execute(db);
}
