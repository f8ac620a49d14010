// Frozen in time: a later change is a new migration, never an edit of this one.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // The kinds of push a member muted, and when their preferences last changed: a
  // MemberPreferencesChanged older than the one applied, or a MemberJoined arriving after
  // one, leaves them as they are.
  await sql`alter table recipients add column muted_kinds text[] not null default '{}'`.execute(db);
  await sql`alter table recipients add column preferences_changed_at timestamptz`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table recipients drop column preferences_changed_at`.execute(db);
  await sql`alter table recipients drop column muted_kinds`.execute(db);
}
