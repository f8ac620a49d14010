// Frozen in time: a later change is a new migration, never an edit of this one.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // A question announced ahead may be rescheduled before its instant: the latest report of
  // its opening wins, by when the report occurred.
  await db.schema.alterTable('question_progress').addColumn('opened_version', 'timestamptz').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('question_progress').dropColumn('opened_version').execute();
}
