// Frozen in time: a later change is a new migration, never an edit of this one.
import { type Kysely, sql } from 'kysely';

/**
 * Who has answered each question, as AnswerSubmitted says: a reminder is prepared within the
 * lead before its instant, and a member who answers meanwhile is not sent it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table answers (
      family_id uuid not null,
      question_id uuid not null,
      member_id uuid not null,
      answered_at timestamptz not null,
      primary key (family_id, question_id, member_id))`.execute(db);
  // For the retention sweep.
  await sql`create index answers_answered_at on answers (answered_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table answers`.execute(db);
}
