// Frozen in time: a later change is a new migration, never an edit of this one.
import { type Kysely, sql } from 'kysely';

/** For the retention sweep, which removes questions whose pushes are gone. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index questions_opens_at on questions (opens_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index questions_opens_at`.execute(db);
}
