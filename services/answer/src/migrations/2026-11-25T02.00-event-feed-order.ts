import { type Kysely, sql } from 'kysely';

/**
 * The event feed reads in commit-safe order. `global_position` is drawn when a row is
 * inserted, but transactions commit in any order, so a reader paging by position alone
 * could pass a row whose transaction commits late and never see it. Each row therefore
 * records its transaction; the feed serves only rows of transactions older than every
 * transaction still running, ordered by (transaction, position).
 * Existing rows all take this migration's transaction id, which keeps their order.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table events add column transaction_id xid8 not null default pg_current_xact_id()`.execute(db);
  await sql`create index events_feed_order on events (transaction_id, global_position)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index events_feed_order`.execute(db);
  await sql`alter table events drop column transaction_id`.execute(db);
}
