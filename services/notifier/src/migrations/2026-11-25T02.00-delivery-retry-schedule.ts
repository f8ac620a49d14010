// Frozen in time: a later change is a new migration, never an edit of this one.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Pending deliveries wait for their turn here instead of in the queue's redelivery:
  // FCM's quota minimum (a minute) outlasts the queue's backoff before dead-lettering.
  await db.schema
    .alterTable('deliveries')
    .addColumn('next_attempt_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();
  // The retry sweep: pending deliveries by when they are due.
  await db.schema
    .createIndex('deliveries_pending_due')
    .on('deliveries')
    .columns(['next_attempt_at', 'notification_id'])
    .where(sql.ref('status'), '=', 'pending')
    .execute();

  await db.schema
    .alterTable('notifications')
    .addColumn('cause_event_id', 'uuid')
    .addColumn('correlation_id', 'text')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('notifications').dropColumn('cause_event_id').dropColumn('correlation_id').execute();
  await db.schema.dropIndex('deliveries_pending_due').execute();
  await db.schema.alterTable('deliveries').dropColumn('next_attempt_at').execute();
}
