import { type Kysely, sql } from 'kysely';

// What reminders need: who must answer a question, who answered, who left; and a fire
// ledger that also remembers a push decided against (skipped), so that it is never
// scheduled again.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('question_progress').addColumn('required_member_ids', sql`uuid[]`).execute();

  await db.schema
    .createTable('question_answer')
    .addColumn('family_id', 'uuid', (column) => column.notNull())
    .addColumn('question_id', 'uuid', (column) => column.notNull())
    .addColumn('member_id', 'uuid', (column) => column.notNull())
    .addPrimaryKeyConstraint('question_answer_pkey', ['family_id', 'question_id', 'member_id'])
    .execute();

  await db.schema
    .createTable('departed_member')
    .addColumn('family_id', 'uuid', (column) => column.notNull())
    .addColumn('member_id', 'uuid', (column) => column.notNull())
    .addPrimaryKeyConstraint('departed_member_pkey', ['family_id', 'member_id'])
    .execute();

  await db.schema
    .alterTable('fired')
    .alterColumn('event_id', (column) => column.dropNotNull())
    .execute();
  await db.schema
    .alterTable('fired')
    .addColumn('skip_reason', 'text', (column) =>
      column.check(sql`skip_reason in ('complete', 'everyone-answered', 'stale')`),
    )
    .execute();
  await db.schema
    .alterTable('fired')
    .addCheckConstraint('fired_announced_or_skipped', sql`(event_id is null) = (skip_reason is not null)`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('fired').dropConstraint('fired_announced_or_skipped').execute();
  await db.schema.alterTable('fired').dropColumn('skip_reason').execute();
  await sql`delete from fired where event_id is null`.execute(db);
  await db.schema
    .alterTable('fired')
    .alterColumn('event_id', (column) => column.setNotNull())
    .execute();
  await db.schema.dropTable('departed_member').execute();
  await db.schema.dropTable('question_answer').execute();
  await db.schema.alterTable('question_progress').dropColumn('required_member_ids').execute();
}
