import { startPollingLoop } from '@haru/db';
import { counter, type Logger, type Metrics } from '@haru/observability';
import { type Kysely, sql } from 'kysely';

/** What one batch of a retention step is given. */
export interface RetentionBatch {
  now: Date;
  /** Rows older than this may go (now minus RETENTION_DAYS). */
  cutoff: Date;
  limit: number;
}

/**
 * One kind of row a service lets go after the retention period. A batch removes at most
 * `limit` rows in one statement and resolves with how many it removed; the sweep repeats it
 * until a batch comes back short, so no statement holds its locks for long.
 */
export interface RetentionStep {
  name: string;
  removeBatch(db: Kysely<unknown>, batch: RetentionBatch): Promise<number>;
  /** Rows per batch; smaller where each row takes others with it (cascades). */
  batchSize?: number;
}

/**
 * The common step: rows of `table` whose `column` is older than the cutoff, and that meet
 * `condition` (raw SQL on the table's columns, e.g. that nothing of theirs is pending).
 * Deleted by their position (ctid) so that the statement takes exactly the rows it chose.
 */
export const rowsOlderThan = (table: string, column: string, condition = 'true'): RetentionStep => ({
  name: table,
  async removeBatch(db, { cutoff, limit }) {
    const result = await sql`
      delete from ${sql.table(table)} where ctid in (
        select ctid from ${sql.table(table)}
        where ${sql.ref(column)} < ${cutoff} and (${sql.raw(condition)})
        limit ${limit})`.execute(db);
    return Number(result.numAffectedRows ?? 0);
  },
});

/** Every service's inbox: a message id is kept as long as a copy of the message may still arrive. */
export const inboxRetention = rowsOlderThan('inbox', 'handled_at');

const dayMs = 86_400_000;

/**
 * Runs every step until nothing older than the retention period is left; resolves with the
 * rows removed per step. `shouldGoOn` lets a stopping service end between batches.
 */
export async function sweepRetention({
  db,
  steps,
  retentionDays,
  now = new Date(),
  batchSize = 1000,
  shouldGoOn = () => true,
}: {
  db: Kysely<unknown>;
  steps: readonly RetentionStep[];
  retentionDays: number;
  now?: Date;
  batchSize?: number;
  shouldGoOn?: () => boolean;
}): Promise<Record<string, number>> {
  const cutoff = new Date(now.getTime() - retentionDays * dayMs);
  const removed: Record<string, number> = {};
  for (const step of steps) {
    const limit = step.batchSize ?? batchSize;
    let total = 0;
    while (shouldGoOn()) {
      const count = await step.removeBatch(db, { now, cutoff, limit });
      total += count;
      if (count < limit) break;
    }
    removed[step.name] = total;
  }
  return removed;
}

export interface RetentionSweep {
  stop(): Promise<void>;
}

/** Sweeps the service's steps at start and every `intervalMs`, counting what went in `haru_retention_removed_rows_total`. */
export function startRetentionSweep({
  db,
  steps,
  retentionDays,
  intervalMs,
  logger,
  metrics,
}: {
  db: Kysely<unknown>;
  steps: readonly RetentionStep[];
  retentionDays: number;
  intervalMs: number;
  logger: Logger;
  metrics: Metrics;
}): RetentionSweep {
  const removedRows = counter(metrics, {
    name: 'haru_retention_removed_rows_total',
    help: 'Rows removed because they were older than the retention period, by table',
    labelNames: ['table'],
  });
  let running = true;
  const loop = startPollingLoop({
    name: 'retention sweep',
    intervalMs,
    logger,
    runOnce: async () => {
      const removed = await sweepRetention({ db, steps, retentionDays, shouldGoOn: () => running });
      for (const [table, count] of Object.entries(removed)) if (count > 0) removedRows.inc({ table }, count);
      if (Object.values(removed).some((count) => count > 0)) logger.info({ removed, retentionDays }, 'retention sweep');
    },
  });
  return {
    async stop() {
      running = false;
      await loop.stop();
    },
  };
}
