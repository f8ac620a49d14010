import { type DomainEvent, eventTypes } from '@haru/contracts';
import type { Database } from '@haru/db';
import { HaruError } from '@haru/errors';
import { sql } from 'kysely';
import type { AnswerDatabase } from '../database.ts';
import { publishedContract } from '../event-store/event-store.ts';
import { openEvent, ownersOf } from '../personal-data/personal-fields.ts';
import { personalKeysOf } from '../personal-data/personal-keys.ts';

/** A published event as the feed serves it: the contract, and where it is in the store. */
export type FeedEvent = DomainEvent & { position: number };

export interface FeedPage {
  events: FeedEvent[];
  /** Pass as `after` for the next page. */
  nextAfter: number;
  /**
   * Transaction numbers (xid8, as decimal strings) of the snapshot the page was read in.
   * Every transaction below `horizon` has ended and its events are served in order; every
   * transaction that had committed when the page was read is below `frontier`. A reader
   * that keeps a page's `frontier` has seen everything committed before that page once a
   * later page comes back short with a `horizon` at or above it.
   */
  horizon: string;
  frontier: string;
}

/**
 * The event store as an ordered, paged feed of published contracts.
 *
 * Order: by (transaction, position), not by position alone. Positions are drawn at
 * insert, but transactions commit in any order: a reader that paged by position could
 * read position 11, committed, while 10 is still in flight, and skip 10 for good when it
 * commits. So the feed serves only rows of transactions older than every transaction
 * still running (below `pg_snapshot_xmin`), which can gain no more rows, in
 * (transaction, position) order; `after` names the last position read, and the page
 * continues after that row's (transaction, position). `until` bounds a read to the
 * transactions below a `frontier` seen earlier, so that catching up with "everything
 * committed before then" ends even while new events keep coming. Within a stream this is still
 * append order (a stream's next event is written by a later transaction). A long write
 * transaction anywhere in the cluster holds the horizon back: the feed then lags, but
 * never skips.
 *
 * All reads share one repeatable-read snapshot, so the horizon reported is the one used.
 */
export async function readEventFeed(
  database: Database<AnswerDatabase>,
  { after, limit, until }: { after: number; limit: number; until?: string | undefined },
): Promise<FeedPage> {
  return database.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      const snapshot = await sql<{ horizon: string; frontier: string }>`
        select pg_snapshot_xmin(pg_current_snapshot())::text as horizon,
               pg_snapshot_xmax(pg_current_snapshot())::text as frontier`.execute(trx);
      const { horizon, frontier } = snapshot.rows[0] ?? { horizon: '0', frontier: '0' };

      let cursor: string | undefined;
      if (after > 0) {
        const row = await trx
          .selectFrom('events')
          .select(sql<string>`transaction_id::text`.as('transactionId'))
          .where('global_position', '=', String(after))
          .executeTakeFirst();
        // A position the feed never served cannot be continued from without skipping.
        if (!row || BigInt(row.transactionId) >= BigInt(horizon)) {
          throw new HaruError('invalid', `position ${after} is not in the feed`);
        }
        cursor = row.transactionId;
      }

      const rows = await trx
        .selectFrom('events')
        .select([
          'global_position',
          'event_id',
          'type',
          'data',
          'family_id',
          'occurred_at',
          'correlation_id',
          'causation_id',
        ])
        .where('type', 'in', eventTypes)
        .where(sql<boolean>`transaction_id < pg_snapshot_xmin(pg_current_snapshot())`)
        .$if(until !== undefined, (query) => query.where(sql<boolean>`transaction_id < ${until}::xid8`))
        .$if(cursor !== undefined, (query) =>
          query.where(sql<boolean>`(transaction_id, global_position) > (${cursor}::xid8, ${String(after)}::bigint)`),
        )
        .orderBy(sql`transaction_id`)
        .orderBy('global_position')
        .limit(limit)
        .execute();

      // The feed says what was published: personal fields opened, or their stand-ins once erased.
      const keys = await personalKeysOf(trx, ownersOf(rows));
      const events = rows.flatMap((row) => {
        const contract = publishedContract(openEvent(row, keys), {
          eventId: row.event_id,
          familyId: row.family_id,
          context: { occurredAt: row.occurred_at, correlationId: row.correlation_id, causationId: row.causation_id },
        });
        return contract ? [{ position: Number(row.global_position), ...contract }] : [];
      });
      const last = rows.at(-1);
      return { events, nextAfter: last ? Number(last.global_position) : after, horizon, frontier };
    });
}
