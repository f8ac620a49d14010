// Frozen in time: a later change is a new migration, never an edit of this one.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // A question's instant, as the latest report of its opening says (a question prepared
  // ahead may be rescheduled before its instant), with when that report occurred.
  await db.schema
    .alterTable('questions')
    .addColumn('opens_at', 'timestamptz')
    .addColumn('opens_version', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('questions').dropColumn('opens_at').dropColumn('opens_version').execute();
}
