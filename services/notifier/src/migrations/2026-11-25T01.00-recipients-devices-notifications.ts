// Frozen in time: a later change is a new migration, never an edit of this one.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('recipients')
    .addColumn('family_id', 'uuid', (column) => column.notNull())
    .addColumn('member_id', 'uuid', (column) => column.notNull())
    .addColumn('uid', 'text')
    .addColumn('locale', 'text', (column) => column.check(sql`locale in ('ko', 'en')`))
    .addColumn('active', 'boolean', (column) => column.notNull())
    .addColumn('left', 'boolean', (column) => column.notNull())
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull())
    .addPrimaryKeyConstraint('recipients_pkey', ['family_id', 'member_id'])
    .execute();
  // Which members of which families a uid is: joins recipients to their devices.
  await db.schema.createIndex('recipients_uid').on('recipients').column('uid').execute();

  await db.schema
    .createTable('devices')
    .addColumn('token', 'text', (column) => column.primaryKey())
    .addColumn('uid', 'text', (column) => column.notNull())
    .addColumn('platform', 'text', (column) => column.notNull().check(sql`platform in ('android', 'ios', 'web')`))
    .addColumn('active', 'boolean', (column) => column.notNull())
    .addColumn('last_seen_at', 'timestamptz', (column) => column.notNull())
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('devices_active_uid')
    .on('devices')
    .column('uid')
    .where(sql.ref('active'), '=', true)
    .execute();

  await db.schema
    .createTable('questions')
    .addColumn('family_id', 'uuid', (column) => column.notNull())
    .addColumn('question_id', 'uuid', (column) => column.notNull())
    .addColumn('text_ko', 'text', (column) => column.notNull())
    .addColumn('text_en', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('questions_pkey', ['family_id', 'question_id'])
    .execute();

  await db.schema
    .createTable('notifications')
    .addColumn('notification_id', 'uuid', (column) => column.primaryKey())
    .addColumn('family_id', 'uuid', (column) => column.notNull())
    .addColumn('question_id', 'uuid', (column) => column.notNull())
    .addColumn('kind', 'text', (column) => column.notNull().check(sql`kind in ('question', 'complete', 'reminder')`))
    .addColumn('created_at', 'timestamptz', (column) => column.notNull())
    .addColumn('reported_at', 'timestamptz')
    .execute();
  // The family's delivery log, newest first.
  await db.schema
    .createIndex('notifications_family_created')
    .on('notifications')
    .columns(['family_id', 'created_at desc'])
    .execute();

  await db.schema
    .createTable('deliveries')
    .addColumn('notification_id', 'uuid', (column) =>
      column.notNull().references('notifications.notification_id').onDelete('cascade'),
    )
    .addColumn('token', 'text', (column) => column.notNull())
    .addColumn('member_id', 'uuid', (column) => column.notNull())
    .addColumn('status', 'text', (column) =>
      column.notNull().check(sql`status in ('pending', 'sent', 'failed', 'invalid')`),
    )
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('attempts', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull())
    .addPrimaryKeyConstraint('deliveries_pkey', ['notification_id', 'token'])
    .execute();
  // What is left to send (or retry) of a notification.
  await db.schema
    .createIndex('deliveries_pending')
    .on('deliveries')
    .columns(['notification_id', 'token'])
    .where(sql.ref('status'), '=', 'pending')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['deliveries', 'notifications', 'questions', 'devices', 'recipients']) {
    await db.schema.dropTable(table).execute();
  }
}
