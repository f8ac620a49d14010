import { type Kysely, sql } from 'kysely';

/** The retention sweep finds reported notifications older than RETENTION_DAYS by this index. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index notifications_reported on notifications (reported_at) where reported_at is not null`.execute(
    db,
  );
}
