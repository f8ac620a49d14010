import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('question_progress')
    .addColumn('family_id', 'uuid', (column) => column.notNull())
    .addColumn('question_id', 'uuid', (column) => column.notNull())
    .addColumn('local_date', 'text')
    .addColumn('required_member_ids', 'jsonb')
    .addColumn('opened_at', 'timestamptz')
    .addColumn('completed_at', 'timestamptz')
    .addPrimaryKeyConstraint('question_progress_pk', ['family_id', 'question_id'])
    .execute();
  await db.schema
    .createTable('answers')
    .addColumn('family_id', 'uuid', (column) => column.notNull())
    .addColumn('question_id', 'uuid', (column) => column.notNull())
    .addColumn('member_id', 'uuid', (column) => column.notNull())
    .addColumn('answered_at', 'timestamptz', (column) => column.notNull())
    .addPrimaryKeyConstraint('answers_pk', ['family_id', 'question_id', 'member_id'])
    .execute();
  await db.schema
    .createTable('departed_members')
    .addColumn('family_id', 'uuid', (column) => column.notNull())
    .addColumn('member_id', 'uuid', (column) => column.notNull())
    .addColumn('left_at', 'timestamptz', (column) => column.notNull())
    .addPrimaryKeyConstraint('departed_members_pk', ['family_id', 'member_id'])
    .execute();
}
