// Outbox relay: events per second from committed outbox rows to SNS (fauxqs), and the
// delay from commit to publish, beside direct PublishBatch calls with the same batch size
// (see docs/benchmarks.md).
//
//   node bench/outbox/outbox.bench.ts [--quick]
//
// In-process, as a service runs it: @haru/messaging's startOutboxRelay on a schema migrated
// with messagingMigrations (the outbox table) in embedded PostgreSQL,
// publishing to the haru topology in fauxqs (on a thread of its own, so the topic fans out
// to its filtered queues as it would). Two measurements:
// - drain: `events` committed rows, then a relay is started and publishes them all; beside
//   it, the same envelopes sent with sequential PublishBatch calls of ten (the relay's SNS
//   batch), the rounds alternating which goes first;
// - delay: a producer commits one event per statement (appendToOutbox) at a steady rate while
//   the relay runs (woken by the NOTIFY sent after each commit, polling every second as a
//   fallback); for each event, the time
//   from its COMMIT returning to the PublishBatch that carried it returning.
import { PublishBatchCommand, type PublishBatchCommandInput, type SNSClient } from '@aws-sdk/client-sns';
import { createEvent, type Envelope, newEventId } from '@haru/contracts';
import { createDatabase, migrateToLatest } from '@haru/db';
import {
  appendToOutbox,
  createAwsClients,
  type MessagingTables,
  messagingMigrations,
  startOutboxRelay,
} from '@haru/messaging';
import { createLogger, createMetrics } from '@haru/observability';
import { sql } from 'kysely';
import { startBenchStack } from '../support/bench-stack.ts';
import { mapConcurrently, waitFor } from '../support/concurrently.ts';
import { type CpuUse, measureCpu, withChildren } from '../support/cpu.ts';
import { describeMachine, oneMinuteLoad } from '../support/machine.ts';
import { readProfile, sized } from '../support/profile.ts';
import { progressLog } from '../support/progress.ts';
import { writeResults } from '../support/results.ts';
import { median, percentile, ratio, round } from '../support/stats.ts';

const profile = readProfile();
const events = sized(profile, { quick: 1000, full: 20_000 });
const rounds = sized(profile, { quick: 3, full: 5 });
const steadyRate = sized(profile, { quick: 200, full: 400 });
const steadySeconds = sized(profile, { quick: 3, full: 20 });
const snsBatch = 10;
const relayBatch = 100;
const pollIntervalMs = 1000;
const targets = { throughputRatio: 0.8 };
const schema = 'bench_outbox';

const log = progressLog('outbox');
const machine = describeMachine();
const startedAt = performance.now();
log(`profile ${profile}: ${events} events per round, ${rounds} rounds; ${steadyRate}/s for ${steadySeconds} s`);

const stack = await startBenchStack({ name: 'outbox' });
log('stack started');
const database = createDatabase<MessagingTables>({ url: stack.databaseUrl, schema, poolSize: 10 });
const clients = createAwsClients({ AWS_REGION: stack.awsRegion, AWS_ENDPOINT_URL: stack.awsEndpointUrl });
const logger = createLogger('bench-outbox', 'warn');
const metrics = createMetrics('bench-outbox');

/** When each event's PublishBatch returned, by event id. */
const publishedAt = new Map<string, number>();
/** The SNS client as the relay sees it, noting when each batch it publishes is accepted. */
const recordingSns = Object.create(clients.sns, {
  send: {
    value: async (command: PublishBatchCommand) => {
      const result = await clients.sns.send(command);
      const now = performance.now();
      for (const entry of command.input.PublishBatchRequestEntries ?? []) {
        publishedAt.set((JSON.parse(entry.Message ?? '{}') as { id: string }).id, now);
      }
      return result;
    },
  },
}) as SNSClient;

const cpuGroups = {
  postgres: () => {
    const pid = stack.postgresPid();
    return pid ? withChildren(pid) : [];
  },
  'bench (relay, fauxqs)': () => [process.pid],
};

const anEvent = (): Envelope =>
  createEvent(
    'AnswerSubmitted',
    newEventId(),
    { questionId: newEventId(), memberId: newEventId(), answeredAt: new Date().toISOString() },
    { occurredAt: new Date(), correlationId: newEventId(), causationId: null },
  );

interface Drain {
  eventsPerSecond: number;
  cpu: CpuUse;
}

try {
  await migrateToLatest(database.db, schema, messagingMigrations);

  const commitBacklog = async (envelopes: Envelope[]) => {
    const chunks = Array.from({ length: Math.ceil(envelopes.length / relayBatch) }, (_, index) =>
      envelopes.slice(index * relayBatch, (index + 1) * relayBatch),
    );
    await mapConcurrently(chunks, 4, (chunk) => appendToOutbox(database.db, chunk));
  };
  const outboxLength = async () =>
    Number((await sql<{ n: string }>`select count(*) as n from outbox`.execute(database.db)).rows[0]?.n ?? 0);

  /** The relay as the services run it, publishing to the recording SNS client. */
  const startRelay = () =>
    startOutboxRelay({
      database,
      sns: recordingSns,
      topicArn: stack.topicArn,
      logger,
      metrics,
      pollIntervalMs,
      batchSize: relayBatch,
    });

  const drainWithRelay = async (): Promise<Drain> => {
    const envelopes = Array.from({ length: events }, anEvent);
    await commitBacklog(envelopes);
    publishedAt.clear();
    const cpu = measureCpu(cpuGroups);
    const started = performance.now();
    const relay = startRelay();
    // Published means accepted by SNS; the rows' deletion commits just after.
    await waitFor('the relay to publish the backlog', async () => publishedAt.size >= events, { intervalMs: 5 });
    const elapsed = (performance.now() - started) / 1000;
    const used = cpu.stop();
    await relay.stop();
    await waitFor('the outbox to empty', async () => (await outboxLength()) === 0);
    return { eventsPerSecond: round(events / elapsed), cpu: used };
  };

  const publishDirectly = async (): Promise<Drain> => {
    // The same messages as the relay sends: the envelope as JSON, its type as an attribute.
    const entries = Array.from({ length: events }, anEvent).map((envelope, index) => ({
      Id: String(index),
      Message: JSON.stringify(envelope),
      MessageAttributes: { type: { DataType: 'String', StringValue: envelope.type } },
    }));
    const cpu = measureCpu(cpuGroups);
    const started = performance.now();
    for (let start = 0; start < entries.length; start += snsBatch) {
      const input: PublishBatchCommandInput = {
        TopicArn: stack.topicArn,
        PublishBatchRequestEntries: entries.slice(start, start + snsBatch),
      };
      const result = await clients.sns.send(new PublishBatchCommand(input));
      if (result.Failed?.length) throw new Error(`PublishBatch failed: ${JSON.stringify(result.Failed)}`);
    }
    const elapsed = (performance.now() - started) / 1000;
    return { eventsPerSecond: round(events / elapsed), cpu: cpu.stop() };
  };

  const measured: Record<'relay' | 'direct PublishBatch', Drain[]> = { relay: [], 'direct PublishBatch': [] };
  for (let index = 0; index <= rounds; index++) {
    const order =
      index % 2 === 0 ? (['relay', 'direct PublishBatch'] as const) : (['direct PublishBatch', 'relay'] as const);
    for (const scenario of order) {
      const drain = scenario === 'relay' ? await drainWithRelay() : await publishDirectly();
      if (index > 0) measured[scenario].push(drain);
      log(
        `${index === 0 ? 'warm-up' : `round ${index}`}: ${scenario} ${drain.eventsPerSecond}/s ` +
          `cpu ${JSON.stringify(drain.cpu.cores)} machine ${drain.cpu.machineBusy}`,
      );
    }
  }

  // Commit → publish under a steady stream of single-event transactions.
  publishedAt.clear();
  const committedAt = new Map<string, number>();
  const relay = startRelay();
  const total = steadyRate * steadySeconds;
  const cpu = measureCpu(cpuGroups);
  const started = performance.now();
  const commits: Promise<void>[] = [];
  for (let index = 0; index < total; index++) {
    const due = started + (index * 1000) / steadyRate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const envelope = anEvent();
    commits.push(
      appendToOutbox(database.db, [envelope]).then(() => {
        committedAt.set(envelope.id, performance.now());
      }),
    );
  }
  await Promise.all(commits);
  await waitFor('the relay to publish the steady stream', async () => publishedAt.size >= total, { intervalMs: 5 });
  const steadyElapsed = (performance.now() - started) / 1000;
  const steadyCpu = cpu.stop();
  await relay.stop();
  const delays = [...committedAt].map(([id, committed]) => (publishedAt.get(id) ?? Number.NaN) - committed);
  const steady = {
    eventsPerSecondOffered: steadyRate,
    events: total,
    eventsPerSecondPublished: round(total / steadyElapsed),
    // A delay can be slightly negative: the relay may publish an event before the
    // producer's COMMIT acknowledgement has been read.
    commitToPublishMs: {
      p50: round(percentile(delays, 50), 1),
      p99: round(percentile(delays, 99), 1),
      max: round(Math.max(...delays), 1),
    },
    cpu: steadyCpu,
  };
  log(
    `steady ${steadyRate}/s: commit → publish p50 ${steady.commitToPublishMs.p50} ms p99 ${steady.commitToPublishMs.p99} ms`,
  );

  const summarise = (runs: Drain[]) => ({
    eventsPerSecond: round(median(runs.map((run) => run.eventsPerSecond))),
    rounds: runs.map((run) => run.eventsPerSecond),
    cpuCores: Object.fromEntries(
      Object.keys(cpuGroups).map((name) => [name, round(median(runs.map((run) => run.cpu.cores[name] ?? 0)), 2)]),
    ),
    machineBusy: round(median(runs.map((run) => run.cpu.machineBusy)), 2),
  });
  const relayed = summarise(measured.relay);
  const direct = summarise(measured['direct PublishBatch']);
  const throughputRatio = ratio(relayed.eventsPerSecond, direct.eventsPerSecond);
  const results = {
    benchmark: 'outbox',
    profile,
    measuredAt: new Date().toISOString(),
    command: `node bench/outbox/outbox.bench.ts${profile === 'quick' ? ' --quick' : ''}`,
    machine: { ...machine, loadAverageAtEnd: oneMinuteLoad() },
    settings: {
      eventsPerRound: events,
      rounds,
      warmUpRounds: 1,
      relayBatchSize: relayBatch,
      snsBatchSize: snsBatch,
      pollIntervalMs,
      poolSize: 10,
      topology: 'haru topology in fauxqs (AnswerSubmitted fans out to the projection and scheduler queues)',
      postgres: stack.settings.postgres,
    },
    drain: { relay: relayed, 'direct PublishBatch': direct },
    steady,
    ratio: { throughput: throughputRatio },
    targets,
    meetsTargets: { throughput: throughputRatio >= targets.throughputRatio },
    wallSeconds: round((performance.now() - startedAt) / 1000, 1),
  };
  const file = await writeResults('outbox', results);
  log(`wrote ${file}`);
  console.log(
    `outbox: relay ${relayed.eventsPerSecond}/s vs direct PublishBatch ${direct.eventsPerSecond}/s: ×${throughputRatio}; ` +
      `commit → publish p50 ${steady.commitToPublishMs.p50} ms, p99 ${steady.commitToPublishMs.p99} ms at ${steadyRate}/s`,
  );
} finally {
  clients.sns.destroy();
  clients.sqs.destroy();
  await database.close();
  await stack.stop();
}
