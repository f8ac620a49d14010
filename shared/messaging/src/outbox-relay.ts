import { PublishBatchCommand, type SNSClient } from '@aws-sdk/client-sns';
import { type Database, startPollingLoop } from '@haru/db';
import type { Logger } from '@haru/observability';
import { sql } from 'kysely';
import pg from 'pg';
import type { MessagingTables } from './messaging-migrations.ts';

export interface OutboxRelayOptions {
  database: Database<MessagingTables>;
  sns: SNSClient;
  topicArn: string;
  logger: Logger;
  /** Fallback when a NOTIFY is missed (listener reconnecting, another replica's insert). */
  pollIntervalMs?: number;
  /** Rows claimed per transaction; published in SNS batches of ten. */
  batchSize?: number;
  /** PublishBatch calls in flight at once, over all the batches being published. */
  publishConcurrency?: number;
}

export interface OutboxRelay {
  /** Publishes whatever is pending now; resolves with how many events went out. */
  relayPending(): Promise<number>;
  stop(): Promise<void>;
}

const snsBatchLimit = 10;

interface ClaimedRow {
  position: string;
  event_id: string;
  type: string;
  /** The envelope as JSON text, published as it is (no parse and serialise again). */
  message: string;
  created_at: Date;
}

/**
 * Publishes committed outbox rows to the SNS topic with PublishBatch, oldest first.
 * Rows are claimed with FOR UPDATE SKIP LOCKED, so any number of replicas can relay
 * the same outbox; a row's deletion commits only after SNS accepted it (at-least-once: a
 * crash between publish and commit republishes, and consumers' inboxes absorb the repeat).
 *
 * A claimed batch's PublishBatch calls go out at once (up to `publishConcurrency` in
 * flight), and while one batch is being published the next is claimed, so that SNS,
 * not the round trips between the calls, sets the pace of a backlog.
 */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { database, sns, topicArn, logger, pollIntervalMs = 1000, batchSize = 100, publishConcurrency = 8 } = options;
  const channel = `${database.schema}_outbox`;
  const publishSlots = concurrencyLimit(publishConcurrency);
  let listener: pg.Client | undefined;

  /** Publishes one SNS batch; resolves with the positions SNS accepted and why it refused any. */
  const publish = async (rows: readonly ClaimedRow[]) => {
    const result = await sns.send(
      new PublishBatchCommand({
        TopicArn: topicArn,
        PublishBatchRequestEntries: rows.map((row) => ({
          Id: row.position,
          Message: row.message,
          MessageAttributes: { type: { DataType: 'String', StringValue: row.type } },
        })),
      }),
    );
    const failed = result.Failed ?? [];
    const refusedIds = new Set(failed.map((failure) => failure.Id));
    return {
      accepted: rows.filter((row) => !refusedIds.has(row.position)).map((row) => row.position),
      refused: failed.map((failure) => `${failure.Code}: ${failure.Message}`),
    };
  };

  const relayBatch = async (): Promise<number> => {
    const { claimed, failure } = await database.db.transaction().execute(async (trx) => {
      // Claimed by deleting them (one statement, not a select and a delete): they leave the
      // outbox only when this transaction commits, after SNS has answered.
      const { rows } = await sql<ClaimedRow>`
        delete from outbox where position in (
          select position from outbox order by position limit ${batchSize} for update skip locked)
        returning position, event_id, type, envelope::text as message, created_at`.execute(trx);
      rows.sort((a, b) => Number(BigInt(a.position) - BigInt(b.position)));
      const chunks: ClaimedRow[][] = [];
      for (let start = 0; start < rows.length; start += snsBatchLimit) {
        chunks.push(rows.slice(start, start + snsBatchLimit));
      }
      const outcomes = await Promise.allSettled(chunks.map((chunk) => publishSlots(() => publish(chunk))));
      const accepted = new Set<string>();
      const problems: string[] = [];
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') {
          problems.push(String(outcome.reason));
          continue;
        }
        for (const position of outcome.value.accepted) accepted.add(position);
        problems.push(...outcome.value.refused);
      }
      if (problems.length === 0) return { claimed: rows.length, failure: undefined };
      const failure = new Error(
        `SNS did not take ${rows.length - accepted.size} of ${rows.length} events: ${problems.join('; ')}`,
      );
      if (accepted.size === 0) throw failure;
      // What SNS accepted stays deleted, so that a retry republishes only the rest, which
      // goes back as it was.
      const rest = rows.filter((row) => !accepted.has(row.position));
      await sql`
        insert into outbox (position, event_id, type, envelope, created_at)
        select * from unnest(
          ${rest.map((row) => row.position)}::bigint[], ${rest.map((row) => row.event_id)}::uuid[],
          ${rest.map((row) => row.type)}::text[], ${rest.map((row) => row.message)}::jsonb[],
          ${rest.map((row) => row.created_at)}::timestamptz[])`.execute(trx);
      return { claimed: rows.length, failure };
    });
    if (failure) throw failure;
    return claimed;
  };

  const relayUntilDrained = async (): Promise<number> => {
    let total = 0;
    for (;;) {
      const claimed = await relayBatch();
      total += claimed;
      if (claimed < batchSize) return total;
    }
  };

  const relayPending = async (): Promise<number> => {
    const first = await relayBatch();
    if (first < batchSize) return first;
    // A full batch: more is waiting. Two batches at a time, so that one is claimed and
    // deleted while the other is being published.
    const rest = await Promise.all([relayUntilDrained(), relayUntilDrained()]);
    return first + rest[0] + rest[1];
  };

  const listen = async () => {
    const client = new pg.Client({ connectionString: connectionStringOf(database) });
    client.on('notification', () => loop.wake());
    client.on('error', (error) => {
      logger.warn({ err: error }, 'outbox listener lost its connection; polling until it reconnects');
      listener = undefined;
      client.end().catch(() => {});
    });
    try {
      await client.connect();
      await client.query(`listen "${channel}"`);
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    listener = client;
  };

  const loop = startPollingLoop({
    name: 'outbox relay',
    intervalMs: pollIntervalMs,
    logger,
    runOnce: async () => {
      if (!listener) await listen();
      const published = await relayPending();
      if (published > 0) logger.debug({ published }, 'outbox relayed');
    },
  });

  return {
    relayPending,
    async stop() {
      await loop.stop();
      await listener?.end().catch(() => {});
    },
  };
}

/** Runs the functions given to it with at most `limit` of them unsettled at once. */
function concurrencyLimit(limit: number) {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async <T>(work: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else active += 1;
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active -= 1;
    }
  };
}

const connectionStringOf = (database: Database<MessagingTables>): string => {
  const { connectionString } = database.pool.options;
  if (!connectionString) throw new Error('the outbox relay needs a pool built from a connection string');
  return connectionString;
};
