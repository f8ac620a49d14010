import { type Kysely, sql } from 'kysely';

const localTime = sql`'^([01][0-9]|2[0-3]):[0-5][0-9]$'`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('family_schedule')
    .addColumn('family_id', 'uuid', (column) => column.primaryKey())
    .addColumn('timezone', 'text', (column) => column.notNull())
    .addColumn('push_time', 'text', (column) => column.notNull().check(sql`push_time ~ ${localTime}`))
    .addColumn('quiet_hours_start', 'text', (column) => column.check(sql`quiet_hours_start ~ ${localTime}`))
    .addColumn('quiet_hours_end', 'text', (column) => column.check(sql`quiet_hours_end ~ ${localTime}`))
    .addColumn('reminder_offset_minutes', 'integer', (column) =>
      column.notNull().defaultTo(180).check(sql`reminder_offset_minutes > 0`),
    )
    .addColumn('next_due_at', 'timestamptz', (column) => column.notNull())
    .addColumn('fired_through', 'date')
    .addColumn('version_occurred_at', 'timestamptz', (column) => column.notNull())
    .addColumn('version_event_id', 'uuid', (column) => column.notNull())
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('quiet_hours_both_or_neither', sql`(quiet_hours_start is null) = (quiet_hours_end is null)`)
    .execute();
  await db.schema.createIndex('family_schedule_next_due_at').on('family_schedule').column('next_due_at').execute();

  await db.schema
    .createTable('question_progress')
    .addColumn('family_id', 'uuid', (column) => column.notNull())
    .addColumn('question_id', 'uuid', (column) => column.notNull())
    .addColumn('opened_at', 'timestamptz')
    .addColumn('completed_at', 'timestamptz')
    .addPrimaryKeyConstraint('question_progress_pkey', ['family_id', 'question_id'])
    .execute();

  await db.schema
    .createTable('pending_push')
    .addColumn('family_id', 'uuid', (column) => column.notNull())
    .addColumn('question_id', 'uuid', (column) => column.notNull())
    .addColumn('kind', 'text', (column) => column.notNull().check(sql`kind in ('complete', 'reminder')`))
    .addColumn('due_at', 'timestamptz', (column) => column.notNull())
    .addColumn('correlation_id', 'text', (column) => column.notNull())
    .addColumn('causation_id', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('pending_push_pkey', ['family_id', 'question_id', 'kind'])
    .execute();
  await db.schema.createIndex('pending_push_due_at').on('pending_push').column('due_at').execute();

  await db.schema
    .createTable('fired')
    .addColumn('family_id', 'uuid', (column) => column.notNull())
    .addColumn('subject', 'text', (column) => column.notNull())
    .addColumn('kind', 'text', (column) => column.notNull().check(sql`kind in ('question', 'complete', 'reminder')`))
    .addColumn('due_at', 'timestamptz', (column) => column.notNull())
    .addColumn('event_id', 'uuid', (column) => column.notNull())
    .addColumn('fired_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('fired_pkey', ['family_id', 'subject', 'kind'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['fired', 'pending_push', 'question_progress', 'family_schedule']) {
    await db.schema.dropTable(table).execute();
  }
}
