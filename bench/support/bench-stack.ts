import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { createDatabaseIfMissing, freePort, startAuthEmulator, startEmbeddedPostgres } from '@haru/dev-stack';
import { type AppliedTopology, applyTopology, createAwsClients, queueDepth } from '@haru/messaging';
import { createStatementStats } from './statement-stats.ts';

export interface BenchStackOptions {
  /** Names the temporary directory. */
  name: string;
  auth?: boolean;
  fcm?: boolean;
  topologyPrefix?: string;
  /** Loads pg_stat_statements (`--pg-stats`), to see which statements a benchmark's time goes to. */
  statementStats?: boolean;
}

export interface BenchStack {
  /** The `haru` database, as the superuser. */
  databaseUrl: string;
  awsEndpointUrl: string;
  awsRegion: string;
  topologyPrefix: string;
  topicArn: string;
  /** Each consuming service's queue and dead-letter queue. */
  queues: AppliedTopology['queues'];
  fcmEndpointUrl?: string;
  authEmulatorHost?: string;
  /** What the parts run with, for the results. */
  settings: { postgres: Record<string, string> };
  /** PostgreSQL's postmaster, for CPU accounting. */
  postgresPid(): number | undefined;
  /** Every service's queue empty, nothing in flight: all the services were sent is handled. */
  queuesIdle(): Promise<boolean>;
  stop(): Promise<void>;
}

/**
 * PostgreSQL's settings: its defaults (durable commits, as in production), with room for
 * every service's pools and a buffer cache sized like a server's rather than initdb's 128 MB.
 * Aurora gives shared_buffers half to three quarters of the instance's memory (haru's
 * cluster scales to 16 ACU, about 32 GiB); with 128 MB, a 100,000-family burst's tables
 * did not fit, and each claim read and evicted pages instead of finding them (its CPU in
 * PostgreSQL fell from about 41 to 30 µs a delivery with 1 GB: bench/due-deliveries). Kept
 * in the results.
 */
const postgresSettings = { max_connections: '300', shared_buffers: '1GB' };

const stopSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Set by bench/run.ts, which starts one Auth emulator for the whole run, because it is slow
 * to start on busy cores. Benchmarks run one after another, so each still has
 * the emulator to itself (in emulator mode firebase-admin looks up every verified token's
 * user in the emulator: it is on the path of every authenticated request).
 */
export const sharedAuthEmulatorVariable = 'HARU_BENCH_AUTH_EMULATOR_HOST';

/**
 * A stack of its own for one benchmark: embedded PostgreSQL in a temporary directory on a
 * free port, fauxqs (and the local FCM endpoint) on a worker thread, the Auth emulator as
 * a child process when asked for (unless the runner shares one); the haru topology applied.
 * All on 127.0.0.1.
 */
export async function startBenchStack({
  name,
  auth = false,
  fcm = false,
  topologyPrefix = 'bench',
  statementStats = false,
}: BenchStackOptions): Promise<BenchStack> {
  const settings = statementStats
    ? { ...postgresSettings, shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track_planning': 'on' }
    : postgresSettings;
  const root = await mkdtemp(join(tmpdir(), `haru-bench-${name}-`));
  // As root, PostgreSQL runs as the `postgres` user, which must enter this directory.
  await chmod(root, 0o755);
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const signal of stopSignals) process.off(signal, interrupted);
    for (const step of stops.reverse()) await step().catch(() => {});
    await rm(root, { recursive: true, force: true });
  };
  // Ctrl-C stops the stack before the benchmark exits: PostgreSQL is no child that ends with
  // this process, and would be left running on its port, its directory in /tmp.
  const interrupted = (signal: NodeJS.Signals) => {
    console.error(`${signal}: stopping the benchmark's stack`);
    void stop().finally(() => process.exit(128 + (constants.signals[signal] ?? 0)));
  };
  for (const signal of stopSignals) process.once(signal, interrupted);
  try {
    // Started at once; each registers its stop as soon as it is up, so a failure stops the others.
    const started = <T extends { stop(): Promise<void> }>(part: Promise<T>) =>
      part.then((running) => {
        stops.push(() => running.stop());
        return running;
      });
    const [postgres, parts, emulator] = await allSettledOrThrow([
      started(startEmbeddedPostgres({ dataDir: join(root, 'postgres'), port: await freePort(), settings })),
      started(startPartsWorker(fcm)),
      auth && !process.env[sharedAuthEmulatorVariable]
        ? started(startAuthEmulator({ port: 0, workDir: join(root, 'firebase') }))
        : Promise.resolve(undefined),
    ]);

    const awsRegion = 'us-east-1';
    const clients = createAwsClients({ AWS_REGION: awsRegion, AWS_ENDPOINT_URL: parts.awsEndpointUrl });
    const { topicArn, queues } = await applyTopology(clients, topologyPrefix);
    clients.sns.destroy();
    stops.push(async () => clients.sqs.destroy());
    const databaseUrl = await createDatabaseIfMissing(postgres.url, 'haru');
    if (statementStats) await createStatementStats(databaseUrl);
    return {
      databaseUrl,
      awsEndpointUrl: parts.awsEndpointUrl,
      awsRegion,
      topologyPrefix,
      topicArn,
      queues,
      ...(parts.fcmEndpointUrl ? { fcmEndpointUrl: parts.fcmEndpointUrl } : {}),
      ...(auth ? { authEmulatorHost: emulator?.host ?? process.env[sharedAuthEmulatorVariable] } : {}),
      settings: { postgres: settings },
      postgresPid: () => {
        try {
          return Number.parseInt(readFileSync(join(root, 'postgres', 'postmaster.pid'), 'utf8'), 10) || undefined;
        } catch {
          return undefined;
        }
      },
      queuesIdle: async () => {
        for (const { queueUrl } of Object.values(queues)) {
          const { visible, inFlight } = await queueDepth(clients.sqs, queueUrl);
          if (visible + inFlight > 0) return false;
        }
        return true;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function allSettledOrThrow<T extends readonly unknown[]>(
  starting: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(starting);
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((result) => (result.status === 'fulfilled' ? result.value : undefined)) as {
    -readonly [K in keyof T]: Awaited<T[K]>;
  };
}

async function startPartsWorker(fcm: boolean) {
  const worker = new Worker(new URL('./parts-worker.ts', import.meta.url), { workerData: { fcm } });
  const [started] = (await Promise.race([once(worker, 'message'), once(worker, 'error')])) as [
    { awsEndpointUrl: string; fcmEndpointUrl?: string } | Error,
  ];
  if (started instanceof Error) throw started;
  return {
    ...started,
    async stop() {
      worker.postMessage('stop');
      await Promise.race([once(worker, 'exit'), new Promise((resolve) => setTimeout(resolve, 5000))]);
      await worker.terminate();
    },
  };
}
