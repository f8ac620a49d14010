// Frozen in time: a later change is a new migration, never an edit of this one.
import { type Kysely, sql } from 'kysely';

/** The retention sweep finds what it may remove by these indexes, not by reading whole tables. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index fired_questions_due on fired (due_at) where kind = 'question'`.execute(db);
  await sql`create index question_progress_last_change on question_progress ((greatest(opened_at, completed_at)))`.execute(
    db,
  );
}
