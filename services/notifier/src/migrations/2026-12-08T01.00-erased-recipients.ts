// Frozen in time: a later change is a new migration, never an edit of this one.
import { type Kysely, sql } from 'kysely';

/**
 * An erased member's recipient row stays as a tombstone without their uid, so that a
 * MemberJoined arriving after the erasure (queues behind, a redelivery) cannot bring it back.
 * Deliveries are found by member for an account's export and erasure.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('recipients')
    .addColumn('erased', 'boolean', (column) => column.notNull().defaultTo(false))
    .execute();
  await sql`create index deliveries_member on deliveries (member_id)`.execute(db);
}
