// Frozen in time: a later change is a new migration, never an edit of this one.
import { type Kysely, sql } from 'kysely';

/**
 * A notification's pending deliveries are found through the primary key, which begins with
 * the notification: a notification has a delivery per device (a few), so the partial index
 * of pending ones saved nothing when reading them, and cost an entry, with the whole token
 * as its key, each time a delivery is prepared or claimed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop index deliveries_pending`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`create index deliveries_pending on deliveries (notification_id, token) where status = 'pending'`.execute(
    db,
  );
}
