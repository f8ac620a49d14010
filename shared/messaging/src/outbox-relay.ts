import { PublishBatchCommand, type SNSClient } from '@aws-sdk/client-sns';
import { type Database, startPollingLoop } from '@haru/db';
import { counter, gauge, type Logger, type Metrics } from '@haru/observability';
import { sql } from 'kysely';
import pg from 'pg';
import type { MessagingTables } from './messaging-migrations.ts';

export interface OutboxRelayOptions {
  database: Database<MessagingTables>;
  sns: SNSClient;
  topicArn: string;
  logger: Logger;
  metrics: Metrics;
  /** Fallback when a NOTIFY is missed (listener reconnecting, another replica's insert). */
  pollIntervalMs?: number;
  /** Rows claimed per transaction; published in SNS batches of ten. */
  batchSize?: number;
}

export interface OutboxRelay {
  /** Publishes whatever is pending now; resolves with how many events went out. */
  relayPending(): Promise<number>;
  stop(): Promise<void>;
}

const snsBatchLimit = 10;

/**
 * Publishes committed outbox rows to the SNS topic with PublishBatch, oldest first.
 * Rows are claimed with FOR UPDATE SKIP LOCKED, so any number of replicas can relay
 * the same outbox; a row is deleted only after SNS accepted it (at-least-once: a crash
 * between publish and delete republishes, and consumers' inboxes absorb the repeat).
 */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { database, sns, topicArn, logger, pollIntervalMs = 1000, batchSize = 100 } = options;
  const channel = `${database.schema}_outbox`;
  let listener: pg.Client | undefined;
  const publishedEvents = measureOutbox(options);

  const relayBatch = async (): Promise<number> =>
    database.db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('outbox')
        .select(['position', 'event_id', 'type', 'envelope'])
        .orderBy('position')
        .limit(batchSize)
        .forUpdate()
        .skipLocked()
        .execute();
      for (let start = 0; start < rows.length; start += snsBatchLimit) {
        const chunk = rows.slice(start, start + snsBatchLimit);
        const result = await sns.send(
          new PublishBatchCommand({
            TopicArn: topicArn,
            PublishBatchRequestEntries: chunk.map((row) => ({
              Id: row.position,
              Message: JSON.stringify(row.envelope),
              MessageAttributes: { type: { DataType: 'String', StringValue: row.type } },
            })),
          }),
        );
        if (result.Failed?.length) {
          const reasons = result.Failed.map((failure) => `${failure.Code}: ${failure.Message}`).join('; ');
          throw new Error(`SNS rejected ${result.Failed.length} of ${chunk.length} events: ${reasons}`);
        }
      }
      if (rows.length > 0) {
        await trx
          .deleteFrom('outbox')
          .where(
            'position',
            'in',
            rows.map((row) => row.position),
          )
          .execute();
        for (const row of rows) publishedEvents.inc({ type: row.type });
      }
      return rows.length;
    });

  const relayPending = async (): Promise<number> => {
    let total = 0;
    for (;;) {
      const published = await relayBatch();
      total += published;
      if (published < batchSize) return total;
    }
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

/** Counted beyond this, the backlog reads as this: the scrape stays cheap however far behind the relay is. */
const backlogCountLimit = 100_000;

/**
 * - `haru_outbox_events_published_total{type}`: events SNS accepted (a republish after a
 *   crash counts again);
 * - `haru_outbox_backlog_events` and `haru_outbox_oldest_event_age_seconds`: unpublished
 *   rows and how long the oldest has waited, read from the table at scrape time (NaN when
 *   the database does not answer).
 */
function measureOutbox({ database, logger, metrics }: OutboxRelayOptions) {
  const readOr = async (read: () => Promise<number>) =>
    read().catch((error: unknown) => {
      logger.warn({ err: error }, 'outbox metrics could not be read');
      return Number.NaN;
    });
  gauge(metrics, {
    name: 'haru_outbox_backlog_events',
    help: `Outbox rows not yet published (counted up to ${backlogCountLimit}).`,
    async collect() {
      this.set(
        await readOr(async () => {
          const { rows } = await sql<{ count: string }>`
            select count(*) from (select from outbox limit ${backlogCountLimit}) as pending`.execute(database.db);
          return Number(rows[0]?.count ?? 0);
        }),
      );
    },
  });
  gauge(metrics, {
    name: 'haru_outbox_oldest_event_age_seconds',
    help: 'How long the oldest unpublished outbox row has waited (0 when none waits).',
    async collect() {
      this.set(
        await readOr(async () => {
          const oldest = await database.db
            .selectFrom('outbox')
            .select('created_at')
            .orderBy('position')
            .limit(1)
            .executeTakeFirst();
          return oldest ? Math.max(Date.now() - oldest.created_at.getTime(), 0) / 1000 : 0;
        }),
      );
    },
  });
  return counter(metrics, {
    name: 'haru_outbox_events_published_total',
    help: 'Events the outbox relay published to the topic, by event type.',
    labelNames: ['type'],
  });
}

const connectionStringOf = (database: Database<MessagingTables>): string => {
  const { connectionString } = database.pool.options;
  if (!connectionString) throw new Error('the outbox relay needs a pool built from a connection string');
  return connectionString;
};
