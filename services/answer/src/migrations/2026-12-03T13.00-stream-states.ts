import { type Kysely, sql } from 'kysely';

/**
 * A stream's current state kept beside it (the family's: members, schedule, invites, its
 * latest questions), written in the same statement as its events, so that a command reads
 * one row instead of folding years of history. `shape` is the version of the state's JSON:
 * a row of another shape is rebuilt from the stream. The stream stays the source of truth.
 *
 * The archive of a family's questions is read from its stream by two partial indexes:
 * QuestionOpened (and QuestionRescheduled, which moves a held question's instant) by local
 * date, and QuestionOpened by question id (to tell a question that is no longer open from
 * one the family never had).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('stream_states')
    .addColumn('stream_id', 'text', (column) => column.primaryKey())
    .addColumn('stream_version', 'integer', (column) => column.notNull())
    .addColumn('shape', 'integer', (column) => column.notNull())
    .addColumn('state', 'jsonb', (column) => column.notNull())
    .execute();
  await sql`create index events_questions_by_date on events (stream_id, (data->>'localDate'), stream_version)
    where type in ('QuestionOpened', 'QuestionRescheduled')`.execute(db);
  await sql`create index events_questions_by_id on events (stream_id, (data->>'questionId'))
    where type = 'QuestionOpened'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index events_questions_by_id`.execute(db);
  await sql`drop index events_questions_by_date`.execute(db);
  await db.schema.dropTable('stream_states').execute();
}
