import { PublishBatchCommand, type SNSClient } from '@aws-sdk/client-sns';
import { connectionConfig, createDatabase, type Database, startPollingLoop } from '@haru/db';
import { counter, delayBuckets, gauge, histogram, type Logger, type Metrics } from '@haru/observability';
import { sql } from 'kysely';
import pLimit from 'p-limit';
import pg from 'pg';
import type { MessagingTables } from './messaging-migrations.ts';
import { wakeOnCommit } from './outbox.ts';

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
  /** PublishBatch calls in flight at once, over all the batches being published. */
  publishConcurrency?: number;
}

export interface OutboxRelay {
  /** Publishes whatever is pending now; resolves with how many events went out. */
  relayPending(): Promise<number>;
  stop(): Promise<void>;
}

const snsBatchLimit = 10;

type Nullable<Row> = { [Column in keyof Row]: Row[Column] | null };

interface ClaimedRow {
  position: string;
  event_id: string;
  type: string;
  /** The envelope as JSON text, published as it is (no parse and serialise again). */
  message: string;
  /** As text: only ever written back (a refused row returns to the outbox as it was). */
  created_at: string;
  publish_at: string | null;
}

/**
 * Publishes committed outbox rows to the SNS topic with PublishBatch, oldest first; a row
 * held until an instant (`holdOnOutbox`) when that instant has come, woken by an alarm.
 * Rows are claimed with FOR UPDATE SKIP LOCKED, so any number of replicas can relay
 * the same outbox; a row's deletion commits only after SNS accepted it (at-least-once: a
 * crash between publish and commit republishes, and consumers' inboxes absorb the repeat).
 *
 * A claimed batch's PublishBatch calls go out at once (up to `publishConcurrency` in
 * flight), and while one batch is being published the next is claimed, so that SNS,
 * not the round trips between the calls, sets the pace of a backlog.
 */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { database, sns, topicArn, logger, pollIntervalMs = 1000, batchSize = 500, publishConcurrency = 8 } = options;
  const channel = `${database.schema}_outbox`;
  // The relay's claims hold their connection while SNS answers: a pool of their own (two
  // claims at a time, see relayPending), so that they never wait on the service's requests,
  // nor its requests on them. The outbox is a queue: every row is deleted soon after it is
  // written, and autovacuum comes round only every minute or so. A bitmap scan (the
  // planner's choice for the few live rows it expects) reads every dead entry in the index
  // and their heap pages on every claim, more each second under load; an index scan in
  // position order marks the dead entries it passes, so that the next claims skip them.
  // Set on the connections, not per transaction: a claim is then one round trip fewer.
  const claims = createDatabase<MessagingTables>({
    url: database.url,
    schema: database.schema,
    poolSize: 2,
    settings: { enable_bitmapscan: 'off', enable_seqscan: 'off' },
    job: 'outbox',
  });
  const publishSlots = pLimit(publishConcurrency);
  let listener: pg.Client | undefined;
  const { publishedEvents, heldLateness } = measureOutbox(options);

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

  /** When the next held row comes due, as of the latest claim (ms from then; null: none held). */
  let nextHeldInMs: number | null = null;

  const relayBatch = async (): Promise<number> => {
    const { claimed, published, failure } = await claims.db.transaction().execute(async (trx) => {
      // Claimed by deleting them (one statement, not a select and a delete): they leave the
      // outbox only when this transaction commits, after SNS has answered. Rows to publish at
      // once, and held rows whose instant has come, each up to a batch, each by its own index.
      // The same statement says when the next held row comes due: every held row is either
      // due by its `now()` (claimable) or after it, so none falls between claim and alarm.
      const { rows: read } = await sql<Nullable<ClaimedRow> & { next_held_in_ms: string | null }>`
        with at_once as (
          select position from outbox where publish_at is null
          order by position limit ${batchSize} for update skip locked),
        come_due as (
          select position from outbox where publish_at <= now()
          order by publish_at, position limit ${batchSize} for update skip locked),
        claimed as (
          delete from outbox
          where position in (select position from at_once union all select position from come_due)
          returning position, event_id, type, envelope::text as message, created_at::text, publish_at::text),
        next_held as (
          select extract(epoch from min(publish_at) - clock_timestamp()) * 1000 as in_ms
          from outbox where publish_at > now())
        select claimed.*, next_held.in_ms as next_held_in_ms
        from next_held left join claimed on true order by claimed.position`.execute(trx);
      const nextHeld = read[0]?.next_held_in_ms;
      nextHeldInMs = nextHeld === null || nextHeld === undefined ? null : Number(nextHeld);
      const rows = read.filter((row): row is ClaimedRow & { next_held_in_ms: string | null } => row.position !== null);
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
      const published = rows.filter((row) => accepted.has(row.position));
      if (problems.length === 0) return { claimed: rows.length, published, failure: undefined };
      const failure = new Error(
        `SNS did not take ${rows.length - accepted.size} of ${rows.length} events: ${problems.join('; ')}`,
      );
      if (accepted.size === 0) throw failure;
      // What SNS accepted stays deleted, so that a retry republishes only the rest, which
      // goes back as it was.
      const rest = rows.filter((row) => !accepted.has(row.position));
      await sql`
        insert into outbox (position, event_id, type, envelope, created_at, publish_at)
        select * from unnest(
          ${rest.map((row) => row.position)}::bigint[], ${rest.map((row) => row.event_id)}::uuid[],
          ${rest.map((row) => row.type)}::text[], ${rest.map((row) => row.message)}::jsonb[],
          ${rest.map((row) => row.created_at)}::timestamptz[], ${rest.map((row) => row.publish_at)}::timestamptz[])`.execute(
        trx,
      );
      return { claimed: rows.length, published, failure };
    });
    // Counted once the deletes are committed: what SNS took and the outbox no longer holds.
    const publishedByType = new Map<string, number>();
    for (const { type } of published) publishedByType.set(type, (publishedByType.get(type) ?? 0) + 1);
    for (const [type, count] of publishedByType) publishedEvents.inc({ type }, count);
    const publishedAt = Date.now();
    for (const { type, publish_at } of published) {
      if (publish_at !== null) heldLateness.observe({ type }, Math.max(publishedAt - Date.parse(publish_at), 0) / 1000);
    }
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
    const client = new pg.Client({ ...connectionConfig(database.url), application_name: claims.application });
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

  // Besides every `pollIntervalMs` and every NOTIFY, the loop wakes when the next held row
  // comes due, so that it leaves at its instant rather than at the next poll.
  let alarm: NodeJS.Timeout | undefined;
  const setAlarm = () => {
    if (nextHeldInMs === null) return;
    const wait = Math.max(Math.ceil(nextHeldInMs), 0);
    if (wait < pollIntervalMs) alarm = setTimeout(() => loop.wake(), wait);
  };

  const loop = startPollingLoop({
    name: 'outbox relay',
    intervalMs: pollIntervalMs,
    logger,
    runOnce: async () => {
      clearTimeout(alarm); // set again below; a failed round backs off without it
      if (!listener) await listen();
      const published = await relayPending();
      if (published > 0) logger.debug({ published }, 'outbox relayed');
      setAlarm();
    },
  });

  // Commits through this process's own handle wake the loop directly; the NOTIFY that
  // `listen` waits for comes from writers without a relay of their own.
  const stopWakingOnCommit = wakeOnCommit(database.db, () => loop.wake());

  return {
    relayPending,
    async stop() {
      stopWakingOnCommit();
      await loop.stop();
      clearTimeout(alarm);
      await listener?.end().catch(() => {});
      await claims.close();
    },
  };
}

/** Counted beyond this, the backlog reads as this: the scrape stays cheap however far behind the relay is. */
const backlogCountLimit = 100_000;

/**
 * - `haru_outbox_events_published_total{type}`: events SNS accepted (a republish after a
 *   crash counts again);
 * - `haru_outbox_held_publish_lateness_seconds{type}`: how long after its instant a held
 *   event was published (for the scheduler's prepared questions, how late they really left);
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
    help: `Outbox rows due and not yet published (counted up to ${backlogCountLimit}; held rows count from their instant).`,
    async collect() {
      this.set(
        await readOr(async () => {
          const { rows } = await sql<{ count: string }>`
            select count(*) from (
              select from outbox where publish_at is null or publish_at <= now() limit ${backlogCountLimit}
            ) as pending`.execute(database.db);
          return Number(rows[0]?.count ?? 0);
        }),
      );
    },
  });
  gauge(metrics, {
    name: 'haru_outbox_oldest_event_age_seconds',
    help: 'How long the oldest due outbox row has waited (0 when none waits; a held row from its instant).',
    async collect() {
      this.set(
        await readOr(async () => {
          // A held row waits from its instant on, not from when it was written.
          const { rows } = await sql<{ age: number | null }>`
            select extract(epoch from clock_timestamp() - least(
              (select created_at from outbox where publish_at is null order by position limit 1),
              (select publish_at from outbox where publish_at <= now() order by publish_at, position limit 1))) as age`.execute(
            database.db,
          );
          return Math.max(Number(rows[0]?.age ?? 0), 0);
        }),
      );
    },
  });
  return {
    publishedEvents: counter(metrics, {
      name: 'haru_outbox_events_published_total',
      help: 'Events the outbox relay published to the topic, by event type.',
      labelNames: ['type'],
    }),
    heldLateness: histogram(metrics, {
      name: 'haru_outbox_held_publish_lateness_seconds',
      help: 'How long after the instant it was held for an event was published, by event type.',
      labelNames: ['type'],
      buckets: delayBuckets,
    }),
  };
}
