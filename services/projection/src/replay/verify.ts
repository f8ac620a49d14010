import { setTimeout as delay } from 'node:timers/promises';
import type { Database } from '@haru/db';
import type { Logger } from '@haru/observability';
import { sql } from 'kysely';
import { type ModelTable, modelTables, type ProjectionDatabase } from '../database.ts';
import { type CatchUpOptions, catchUp } from './catch-up.ts';
import type { EventFeed } from './event-feed.ts';
import { createReplayTarget, discardReplayTarget } from './replay-target.ts';

/** A row of the model that the live tables and the replay disagree on (null: absent there). */
export interface Difference {
  table: ModelTable;
  key: Record<string, unknown>;
  live: Record<string, unknown> | null;
  replay: Record<string, unknown> | null;
}

/**
 * Compares the live read model with a replay of the event feed, and returns the rows in
 * which they differ (none: the model is right).
 *
 * The replay is registered like a rebuild's, so the live handler writes every event into
 * it too: the replay never lags behind the live model. The live model may lag behind the
 * replay, though, by the events still on their way through the queue; so while there are
 * differences, the comparison is repeated (after catching up with the feed again) for up
 * to `settleMs`, and only differences that outlast it are reported.
 */
export async function verify({
  database,
  feed,
  logger,
  settleMs = 10_000,
  ...options
}: {
  database: Database<ProjectionDatabase>;
  feed: EventFeed;
  logger: Logger;
  settleMs?: number;
} & CatchUpOptions): Promise<{ replayed: number; differences: Difference[] }> {
  const target = await createReplayTarget(database, 'verify');
  logger.info({ schema: target.schema }, 'replaying the event feed to verify the completion model');
  try {
    await catchUp(database, target, feed, options);
    const deadline = Date.now() + settleMs;
    let differences = await compareModels(database, target.schema);
    while (differences.length > 0 && Date.now() < deadline) {
      await delay(250, undefined, options.signal ? { signal: options.signal } : {});
      await catchUp(database, target, feed, options);
      differences = await compareModels(database, target.schema);
    }
    return { replayed: target.applied, differences };
  } finally {
    await discardReplayTarget(database, target.schema);
  }
}

/** The rows in which the live model and the copy in `replaySchema` differ, table by table. */
export async function compareModels(
  database: Database<ProjectionDatabase>,
  replaySchema: string,
): Promise<Difference[]> {
  // One snapshot for all tables, so that an event applied meanwhile shows in all or none.
  return database.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      const differences: Difference[] = [];
      for (const [table, keyColumns] of Object.entries(modelTables) as [ModelTable, readonly string[]][]) {
        const live = sql.id(database.schema, table);
        const replay = sql.id(replaySchema, table);
        const { rows } = await sql<{ side: 'live' | 'replay'; row: Record<string, unknown> }>`
          select 'live' as side, to_jsonb(only_live) as row
          from (select * from ${live} except select * from ${replay}) as only_live
          union all
          select 'replay' as side, to_jsonb(only_replay) as row
          from (select * from ${replay} except select * from ${live}) as only_replay`.execute(trx);
        const byKey = new Map<string, Difference>();
        for (const { side, row } of rows) {
          const key = Object.fromEntries(keyColumns.map((column) => [column, row[column]]));
          const id = JSON.stringify(key);
          const difference = byKey.get(id) ?? { table, key, live: null, replay: null };
          difference[side] = row;
          byKey.set(id, difference);
        }
        differences.push(...byKey.values());
      }
      return differences;
    });
}

/** One line per difference, for people. */
export function describeDifferences(differences: readonly Difference[], limit = 100): string[] {
  const lines = differences.slice(0, limit).map(({ table, key, live, replay }) => {
    const where = Object.entries(key)
      .map(([column, value]) => `${column}=${String(value)}`)
      .join(' ');
    return `${table} ${where}: live ${JSON.stringify(live)} | replay ${JSON.stringify(replay)}`;
  });
  if (differences.length > limit) lines.push(`… and ${differences.length - limit} more`);
  return lines;
}
