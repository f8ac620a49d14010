import { setTimeout as delay } from 'node:timers/promises';
import { type Database, lockForTransaction } from '@haru/db';
import { applyToModel } from '../completion/apply-to-model.ts';
import type { ProjectionDatabase } from '../database.ts';
import type { EventFeed } from './event-feed.ts';
import { beat, type ReplayTarget } from './replay-target.ts';

export interface CatchUpOptions {
  pageSize?: number;
  /** Wait between reads while a transaction older than the barrier is still running. */
  pollMs?: number;
  signal?: AbortSignal;
}

/**
 * Applies the event feed to a replay's copy of the model until the copy holds every event
 * committed before the catch-up began.
 *
 * "Before it began" is made precise with the feed's transaction numbers: the first page's
 * `frontier` (the barrier) is above every transaction committed by then. Later pages are
 * bounded by it (`until`), so the catch-up ends however fast new events arrive (those
 * reach the copy through the live handler); once a page comes back short with the
 * `horizon` at or above the barrier, every transaction below it has been served. Reaching
 * merely a short page is not enough: a transaction that committed earlier can still sit
 * above the horizon, held back by an older one still running.
 *
 * Each page is applied in one transaction holding its families' locks, because live
 * handlers write into the same copy concurrently (see `applyToCompletion`).
 */
export async function catchUp(
  database: Database<ProjectionDatabase>,
  target: ReplayTarget,
  feed: EventFeed,
  { pageSize = 500, pollMs = 100, signal }: CatchUpOptions = {},
): Promise<void> {
  let barrier: bigint | undefined;
  let lastBeat = Date.now();
  for (;;) {
    signal?.throwIfAborted();
    const page = await feed.read(target.after, pageSize, barrier);
    barrier ??= page.frontier;
    if (page.events.length > 0) {
      await database.db.transaction().execute(async (trx) => {
        await lockForTransaction(
          trx,
          'projection',
          page.events.map((event) => event.familyId),
        );
        await applyToModel(trx.withSchema(target.schema), page.events);
      });
      target.applied += page.events.length;
    }
    target.after = page.nextAfter;
    if (Date.now() - lastBeat > 30_000) {
      await beat(database, target);
      lastBeat = Date.now();
    }
    if (page.events.length < pageSize) {
      if (page.horizon >= barrier) return;
      await delay(pollMs, undefined, signal ? { signal } : {});
    }
  }
}
