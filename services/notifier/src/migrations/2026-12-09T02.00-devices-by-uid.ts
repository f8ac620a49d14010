import { type Kysely, sql } from 'kysely';

/**
 * An account's devices, active or not, by uid: its export and erasure read them all, which
 * the partial index of active devices cannot serve (without this, a scan of every device).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index devices_uid on devices (uid)`.execute(db);
}
