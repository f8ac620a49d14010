// Frozen in time: a later change is a new migration, never an edit of this one.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // The family's instant each push is for: deliveries are prepared ahead and sent at it,
  // and how late a push reached FCM is measured from it.
  await db.schema.alterTable('notifications').addColumn('due_at', 'timestamptz').execute();
  await sql`update notifications set due_at = created_at`.execute(db);
  await sql`alter table notifications alter column due_at set not null`.execute(db);
  // Prepared pushes still to come, found again when a member joins or a device is
  // registered within the lead; and finished ones still to report.
  await sql`create index notifications_family_due on notifications (family_id, due_at)`.execute(db);
  await sql`create index notifications_unreported on notifications (due_at) where reported_at is null`.execute(db);

  // One FCM send budget per Firebase project, shared by every replica (a token bucket).
  await db.schema
    .createTable('send_budget')
    .addColumn('project_id', 'text', (column) => column.primaryKey())
    .addColumn('available', 'float8', (column) => column.notNull())
    .addColumn('refilled_at', 'timestamptz', (column) => column.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('send_budget').execute();
  await db.schema.dropIndex('notifications_unreported').execute();
  await db.schema.dropIndex('notifications_family_due').execute();
  await db.schema.alterTable('notifications').dropColumn('due_at').execute();
}
