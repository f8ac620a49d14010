import { randomBytes } from 'node:crypto';
import type { Database } from '@haru/db';
import { sql } from 'kysely';
import { modelTables, type ProjectionDatabase } from '../database.ts';

/** A copy of the read model being built by replaying the event feed. */
export interface ReplayTarget {
  /** The schema holding the copy (same table names as the live model). */
  schema: string;
  /** The feed position applied up to; the next page starts after it. */
  after: number;
  /** Events applied from the feed so far. */
  applied: number;
}

/** A replay whose heartbeat is older than this was abandoned (its process died). */
const abandonedAfterMs = 10 * 60_000;

/**
 * Creates an empty copy of the read model in a schema of its own and registers it, so
 * that from the registration's commit on, the live handler applies every event to the
 * copy too. Replays abandoned by a crashed process are discarded first.
 */
export async function createReplayTarget(
  database: Database<ProjectionDatabase>,
  purpose: 'rebuild' | 'verify',
): Promise<ReplayTarget> {
  const abandoned = await database.db
    .selectFrom('replay_targets')
    .select('schema_name')
    .where('heartbeat_at', '<', new Date(Date.now() - abandonedAfterMs))
    .execute();
  for (const { schema_name } of abandoned) await discardReplayTarget(database, schema_name);

  const schema = `${database.schema}_${purpose}_${randomBytes(5).toString('hex')}`;
  await database.db.transaction().execute(async (trx) => {
    await sql`create schema ${sql.id(schema)}`.execute(trx);
    for (const table of Object.keys(modelTables)) {
      await sql`create table ${sql.id(schema, table)} (like ${sql.id(database.schema, table)} including all)`.execute(
        trx,
      );
    }
    await trx.insertInto('replay_targets').values({ schema_name: schema, purpose }).execute();
  });
  return { schema, after: 0, applied: 0 };
}

/** Records that the replay is alive, so that nobody discards it as abandoned. */
export async function beat(database: Database<ProjectionDatabase>, target: ReplayTarget): Promise<void> {
  await database.db
    .updateTable('replay_targets')
    .set({ heartbeat_at: new Date() })
    .where('schema_name', '=', target.schema)
    .execute();
}

/**
 * Unregisters a replay and drops its copy. Unregistering first waits for live handlers
 * that are writing to the copy (they hold its registration key-share locked) and turns
 * new ones away from it.
 */
export async function discardReplayTarget(database: Database<ProjectionDatabase>, schema: string): Promise<void> {
  await database.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('replay_targets').where('schema_name', '=', schema).execute();
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(trx);
  });
}
