// Frozen in time: a later change is a new migration, never an edit of this one.
import { type Kysely, sql } from 'kysely';

/** Who answered and who left are the projection's to keep; the scheduler asks it (docs/decisions/0011). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop table question_answer`.execute(db);
  await sql`drop table departed_member`.execute(db);
  await sql`alter table question_progress drop column required_member_ids`.execute(db);
}
