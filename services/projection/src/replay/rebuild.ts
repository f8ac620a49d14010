import type { Database } from '@haru/db';
import { transactionWithOutbox } from '@haru/messaging';
import type { Logger } from '@haru/observability';
import { sql } from 'kysely';
import { announceCompletions } from '../completion/announce-completions.ts';
import type { CompletedQuestion } from '../completion/apply-to-model.ts';
import { modelTables, type ProjectionDatabase } from '../database.ts';
import { type CatchUpOptions, catchUp } from './catch-up.ts';
import type { EventFeed } from './event-feed.ts';
import { createReplayTarget, discardReplayTarget, type ReplayTarget } from './replay-target.ts';

export interface RebuildResult {
  /** Events replayed from the feed. */
  replayed: number;
  /** Completions the old model had never announced, announced by the swap. */
  announced: number;
}

/**
 * Rebuilds the read model from the answer service's event feed while live consumption
 * goes on, and swaps the new model in atomically.
 *
 * 1. A fresh copy of the model tables is created in a schema of its own and registered:
 *    from then on the live handler applies each event to the copy as well as to the model.
 * 2. The feed is replayed into the copy until the copy holds every event committed before
 *    the registration (see `catchUp`). Together with step 1, the copy now has every event
 *    the live model has, and keeps up with it.
 * 3. One transaction swaps the copy in: it unregisters the copy (waiting for live handlers
 *    writing to it), locks the model tables (waiting for handlers and queries in flight;
 *    new ones wait for the commit), drops them and moves the copy's tables into their
 *    place. Handlers waiting meanwhile then write to the new tables.
 *
 * Nothing is announced twice: announcements are recorded in `announced_completions`,
 * which is not part of the model and is kept. A question the new model completes but
 * nobody announced (its last event not yet consumed live, or missed by a faulty old
 * model) is announced by the swap, once.
 */
export async function rebuild({
  database,
  feed,
  logger,
  now = () => new Date(),
  ...options
}: {
  database: Database<ProjectionDatabase>;
  feed: EventFeed;
  logger: Logger;
  now?: () => Date;
} & CatchUpOptions): Promise<RebuildResult> {
  const target = await createReplayTarget(database, 'rebuild');
  logger.info({ schema: target.schema }, 'rebuilding the completion model from the event feed');
  try {
    await catchUp(database, target, feed, options);
    logger.info({ replayed: target.applied }, 'caught up with the event feed; swapping the new model in');
    // Found before the swap, to keep the swap's lock short; live handlers announce what
    // they complete meanwhile, and the ledger keeps whichever comes second from repeating it.
    const unannounced = await unannouncedCompletions(database, target);
    const announced = await swapIn(database, target, unannounced, now());
    return { replayed: target.applied, announced };
  } catch (error) {
    await discardReplayTarget(database, target.schema);
    throw error;
  }
}

async function unannouncedCompletions(
  database: Database<ProjectionDatabase>,
  target: ReplayTarget,
): Promise<CompletedQuestion[]> {
  const { rows } = await sql<{ family_id: string; question_id: string; completed_at: Date }>`
    select family_id, question_id, completed_at
    from ${sql.id(target.schema, 'question_progress')} as progress
    where completed_at is not null
      and not exists (select from announced_completions as announced
                      where announced.family_id = progress.family_id
                        and announced.question_id = progress.question_id)`.execute(database.db);
  return rows.map((row) => ({ familyId: row.family_id, questionId: row.question_id, completedAt: row.completed_at }));
}

async function swapIn(
  database: Database<ProjectionDatabase>,
  target: ReplayTarget,
  unannounced: CompletedQuestion[],
  now: Date,
): Promise<number> {
  const tables = Object.keys(modelTables);
  const live = database.schema;
  return transactionWithOutbox(database.db, async (trx) => {
    // In this order: live handlers take the registration's key-share lock before touching
    // the model tables, so one blocked here holds no lock the next statement waits for.
    await trx.deleteFrom('replay_targets').where('schema_name', '=', target.schema).execute();
    await sql`lock table ${sql.join(tables.map((table) => sql.id(live, table)))} in access exclusive mode`.execute(trx);
    for (const table of tables) {
      await sql`drop table ${sql.id(live, table)}`.execute(trx);
      await sql`alter table ${sql.id(target.schema, table)} set schema ${sql.id(live)}`.execute(trx);
    }
    await sql`drop schema ${sql.id(target.schema)}`.execute(trx);
    return announceCompletions(trx, unannounced, {
      occurredAt: now,
      correlationId: `rebuild-${target.schema}`,
      causationId: null,
    });
  });
}
