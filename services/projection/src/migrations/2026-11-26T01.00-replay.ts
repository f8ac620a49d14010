import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // A rebuilt copy of a table (`like … including all`) gets PostgreSQL's default names for
  // its constraints and indexes; the live tables take the same names, so that a swap
  // changes nothing a later migration could refer to.
  await sql`alter table question_progress rename constraint question_progress_pk to question_progress_pkey`.execute(db);
  await sql`alter table answers rename constraint answers_pk to answers_pkey`.execute(db);
  await sql`alter table departed_members rename constraint departed_members_pk to departed_members_pkey`.execute(db);
  // The family's last questions, newest first.
  await sql`create index question_progress_family_id_opened_at_idx on question_progress (family_id, opened_at)`.execute(
    db,
  );

  await db.schema
    .createTable('announced_completions')
    .addColumn('family_id', 'uuid', (column) => column.notNull())
    .addColumn('question_id', 'uuid', (column) => column.notNull())
    .addColumn('completed_at', 'timestamptz', (column) => column.notNull())
    .addColumn('announced_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('announced_completions_pkey', ['family_id', 'question_id'])
    .execute();
  // Until now a completed question was announced by the transaction that completed it.
  await sql`
    insert into announced_completions (family_id, question_id, completed_at)
    select family_id, question_id, completed_at from question_progress where completed_at is not null`.execute(db);

  await db.schema
    .createTable('replay_targets')
    .addColumn('schema_name', 'text', (column) => column.primaryKey())
    .addColumn('purpose', 'text', (column) => column.notNull())
    .addColumn('started_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('heartbeat_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();
}
