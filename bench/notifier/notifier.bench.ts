// Pushes per second through firebase-admin to the local FCM endpoint, beside raw HTTP
// requests to the same endpoint from the same script (see docs/benchmarks.md).
//
//   node bench/notifier/notifier.bench.ts [--devices 10000] [--rounds 5] [--skip-whole-path]
//
// - baseline: node:http with a keep-alive agent of as many sockets as the notifier's,
//   500 requests started at once per wave as sendEach does, the same JSON bodies;
// - firebase-admin: the notifier's own `createFirebaseMessaging` (legacy transport, its
//   kept-alive agent, static credential), `sendEach` in chunks of 500;
// - firebase-admin, unbounded agent: the same with a keep-alive agent without a socket
//   limit (what the notifier had before), to show what the bound is worth;
// - whole notifier path: one family with every device, one QuestionOpened through the
//   notifier's event handler, then the due-delivery sender (claims, sends on the notifier's
//   send threads, results recorded in PostgreSQL).
// The endpoint runs on a worker thread (its own core). One warm-up round, then `rounds`
// rounds with the scenarios in rotating order; medians reported, and the ratio of the
// firebase-admin median to the baseline median of the same run.
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { commandLine, wholeNumberOption } from '@haru/config';
import { createEvent } from '@haru/contracts';
import { createDatabase, migrateToLatest } from '@haru/db';
import { freePort, startEmbeddedPostgres } from '@haru/dev-stack';
import { createLogger, createMetrics } from '@haru/observability';
import { sql } from 'kysely';
import { type NotifierDatabase, schema } from '../../services/notifier/src/database.ts';
import { createEventHandler } from '../../services/notifier/src/handle-event.ts';
import { migrations } from '../../services/notifier/src/migrations/index.ts';
import { deliveryMetrics } from '../../services/notifier/src/notifications/delivery-metrics.ts';
import { startDueDeliverySender } from '../../services/notifier/src/notifications/due-delivery-sender.ts';
import { senderDatabase, senderPoolSize } from '../../services/notifier/src/notifications/sender-database.ts';
import { createFirebaseMessaging, localConnections } from '../../services/notifier/src/push/firebase-messaging.ts';
import { type PushMessage, pushMessage } from '../../services/notifier/src/push/push-message.ts';
import { maxMessagesPerSend } from '../../services/notifier/src/push/push-sender.ts';
import { sendBudget } from '../../services/notifier/src/push/send-budget.ts';
import { startSendThreads } from '../../services/notifier/src/push/send-threads.ts';
import { notifierDefaults } from '../support/service-defaults.ts';

const { values: args } = commandLine('notifier bench', {
  options: {
    devices: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '5' },
    'skip-whole-path': { type: 'boolean', default: false },
  },
});
const devices = wholeNumberOption('notifier bench', 'devices', args.devices);
const rounds = wholeNumberOption('notifier bench', 'rounds', args.rounds);
const projectId = 'demo-haru';
/** The notifier's default send threads. */
const sendThreads = notifierDefaults.NOTIFIER_SEND_THREADS;
const targetPushesPerSecond = 5000;
const resultsFile = join(dirname(fileURLToPath(import.meta.url)), '..', 'results', 'notifier.json');

interface Scenario {
  name: string;
  /** Sends `devices` pushes; throws unless every one was accepted. */
  run(): Promise<void>;
  close(): Promise<void>;
}

interface Measurement {
  pushesPerSecond: number;
  /** Share of the wall time each event loop was busy: which side bounds the figure. */
  senderBusy: number;
  endpointBusy: number;
  /** CPU time each thread spent per push (µs): the cost, whatever else the machine runs. */
  senderCpuPerPush: number;
  endpointCpuPerPush: number;
}

const endpoint = await startEndpointThread();
const messages = Array.from({ length: devices }, (_, index) =>
  pushMessage({
    token: `bench-${String(index).padStart(6, '0')}`,
    notificationId: '0193a5c0-0000-7000-8000-000000000001',
    kind: 'question',
    familyId: '0193a5c0-0000-7000-8000-000000000002',
    questionId: '0193a5c0-0000-7000-8000-000000000003',
    content: { title: '오늘의 질문', body: '오늘 가장 웃겼던 일은?' },
  }),
);

const scenarios: Scenario[] = [
  rawHttp(endpoint.url, localConnections),
  firebaseAdmin('firebase-admin', localConnections),
  firebaseAdmin('firebase-admin, unbounded agent', Number.POSITIVE_INFINITY),
];
const wholePath = args['skip-whole-path'] ? undefined : await notifierPath();
if (wholePath) scenarios.push(wholePath.scenario);

const measured = new Map<string, Measurement[]>(scenarios.map((scenario) => [scenario.name, []]));
for (let round = 0; round <= rounds; round += 1) {
  const order = scenarios.map((_, index) => scenarios[(index + round) % scenarios.length] as Scenario);
  for (const scenario of order) {
    const measurement = await measure(scenario);
    if (round > 0) measured.get(scenario.name)?.push(measurement);
    process.stderr.write(
      `${round === 0 ? 'warm-up' : `round ${round}`}: ${scenario.name} ${Math.round(measurement.pushesPerSecond)}/s\n`,
    );
  }
}
for (const scenario of scenarios) await scenario.close();
await wholePath?.stop();
await endpoint.stop();

const summary = Object.fromEntries(
  [...measured].map(([name, runs]) => [
    name,
    {
      pushesPerSecond: {
        median: Math.round(median(runs.map((run) => run.pushesPerSecond))),
        min: Math.round(Math.min(...runs.map((run) => run.pushesPerSecond))),
        max: Math.round(Math.max(...runs.map((run) => run.pushesPerSecond))),
        rounds: runs.map((run) => Math.round(run.pushesPerSecond)),
      },
      senderBusy: round2(median(runs.map((run) => run.senderBusy))),
      endpointBusy: round2(median(runs.map((run) => run.endpointBusy))),
      senderCpuMicrosPerPush: Math.round(median(runs.map((run) => run.senderCpuPerPush))),
      endpointCpuMicrosPerPush: Math.round(median(runs.map((run) => run.endpointCpuPerPush))),
      // What the busier thread's CPU per push allows with a core to itself, however
      // loaded the machine was: the bound the wall-clock figure would reach.
      cpuCeilingPushesPerSecond: Math.round(
        1e6 /
          Math.max(median(runs.map((run) => run.senderCpuPerPush)), median(runs.map((run) => run.endpointCpuPerPush))),
      ),
    },
  ]),
);
const medianOf = (name: string) => summary[name]?.pushesPerSecond.median ?? Number.NaN;
const baseline = medianOf('node:http baseline');
const firebase = medianOf('firebase-admin');
const results = {
  benchmark: 'notifier',
  measuredAt: new Date().toISOString(),
  command: 'node bench/notifier/notifier.bench.ts',
  machine: {
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
  },
  settings: { devices, rounds, chunk: maxMessagesPerSend, connections: localConnections, warmUpRounds: 1 },
  scenarios: summary,
  ratio: {
    firebaseAdminToBaseline: round2(firebase / baseline),
    unboundedAgentToBaseline: round2(medianOf('firebase-admin, unbounded agent') / baseline),
    ...(wholePath ? { wholePathToBaseline: round2(medianOf('whole notifier path') / baseline) } : {}),
  },
  targetPushesPerSecond,
  meetsTarget: firebase >= targetPushesPerSecond,
};
await mkdir(dirname(resultsFile), { recursive: true });
await writeFile(resultsFile, `${JSON.stringify(results, null, 2)}\n`);

console.log(
  `notifier: ${devices} devices, ${rounds} rounds (medians), ${results.machine.cpus}× ${results.machine.cpu}`,
);
console.log(
  '| scenario | pushes/s (median) | min–max | × baseline | sender busy | endpoint busy | sender CPU/push | endpoint CPU/push | CPU ceiling |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const [name, figures] of Object.entries(summary)) {
  const { median: med, min, max } = figures.pushesPerSecond;
  console.log(
    `| ${name} | ${med} | ${min}–${max} | ${round2(med / baseline)} | ${percent(figures.senderBusy)} | ${percent(figures.endpointBusy)} | ${figures.senderCpuMicrosPerPush} µs | ${figures.endpointCpuMicrosPerPush} µs | ${figures.cpuCeilingPushesPerSecond}/s |`,
  );
}
console.log(`target ≥ ${targetPushesPerSecond}/s through firebase-admin: ${results.meetsTarget ? 'met' : 'NOT met'}`);
console.log(`results: ${resultsFile}`);

// --- scenarios ---

function rawHttp(url: string, connections: number): Scenario {
  const { hostname, port } = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  // FCM v1 wants snake_case where firebase-admin takes camelCase; the bodies are the same.
  const wire = (message: PushMessage) => ({
    ...message,
    android: { collapse_key: message.android.collapseKey, notification: message.android.notification },
  });
  const post = (message: PushMessage) =>
    new Promise<void>((resolve, reject) => {
      const body = JSON.stringify({ message: wire(message) });
      const call = request(
        {
          host: hostname,
          port,
          method: 'POST',
          path: `/v1/projects/${projectId}/messages:send`,
          agent,
          headers: {
            authorization: 'Bearer local',
            'content-type': 'application/json; charset=utf-8',
            'content-length': Buffer.byteLength(body),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { name?: string };
            if (response.statusCode === 200 && answer.name) resolve();
            else reject(new Error(`HTTP ${response.statusCode}`));
          });
          response.on('error', reject);
        },
      );
      call.on('error', reject);
      call.end(body);
    });
  return {
    name: 'node:http baseline',
    async run() {
      for (const chunk of chunks(messages)) await Promise.all(chunk.map(post));
    },
    async close() {
      agent.destroy();
    },
  };
}

function firebaseAdmin(name: string, connections: number): Scenario {
  const { messaging, close } = createFirebaseMessaging({ projectId, fcmEndpointUrl: endpoint.url, connections });
  return {
    name,
    async run() {
      for (const chunk of chunks(messages)) {
        const { failureCount, responses } = await messaging.sendEach(chunk);
        if (failureCount > 0) throw responses.find((response) => !response.success)?.error;
      }
    },
    close,
  };
}

/** The notifier's event handler on a throw-away PostgreSQL, one family with every device. */
async function notifierPath() {
  const root = await mkdtemp(join(tmpdir(), 'haru-bench-notifier-'));
  await chmod(root, 0o755); // PostgreSQL runs as `postgres` when started by root.
  const postgres = await startEmbeddedPostgres({
    dataDir: join(root, 'postgres'),
    port: await freePort(),
    settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' },
  });
  const sendConcurrency = 3;
  // The event handler's pool, and the sender's own, as the service sizes and plans it.
  const database = createDatabase<NotifierDatabase>({ url: postgres.url, schema, poolSize: 2 });
  const senderPool = senderDatabase({ url: postgres.url, poolSize: senderPoolSize(sendConcurrency) });
  await migrateToLatest(database.db, schema, migrations);
  const familyId = '0193a5c0-0000-7000-8000-00000000000f';
  await sql`
    insert into recipients (family_id, member_id, uid, locale, active, "left", updated_at)
    select ${familyId}::uuid, gen_random_uuid(), 'uid-' || n, case when n % 2 = 0 then 'ko' else 'en' end, true, false, now()
    from generate_series(1, ${devices}) as n`.execute(database.db);
  await sql`
    insert into devices (token, uid, platform, active, last_seen_at, updated_at)
    select 'path-' || lpad(n::text, 6, '0'), 'uid-' || n, 'android', true, now(), now()
    from generate_series(1, ${devices}) as n`.execute(database.db);
  // Statistics, as a database in use has them: just filled, the planner would take the
  // family's ten thousand members for a few dozen.
  await sql`analyze`.execute(database.db);

  // firebase-admin on send threads, as the notifier runs it (NOTIFIER_SEND_THREADS's default).
  const fcm = startSendThreads({ projectId, fcmEndpointUrl: endpoint.url, threads: sendThreads });
  await fcm.ready();
  const logger = createLogger('notifier-bench', 'silent');
  const clock = () => new Date();
  const handle = createEventHandler({ db: database.db, logger, clock, wake: () => {} });
  const metrics = deliveryMetrics({
    db: senderPool.db,
    metrics: createMetrics('notifier'),
    logger,
    clock,
    cloudWatch: false,
  });
  const sender = startDueDeliverySender({
    db: senderPool.db,
    push: fcm,
    budget: sendBudget(senderPool.db, { projectId, perMinute: 600_000 }),
    logger,
    metrics,
    clock,
    concurrency: sendConcurrency,
    intervalMs: 3_600_000,
    reportSpreadMs: 0,
    headStartMs: notifierDefaults.NOTIFIER_HEAD_START_MS,
    batchesAhead: notifierDefaults.NOTIFIER_BATCHES_AHEAD,
  });
  const scenario: Scenario = {
    name: 'whole notifier path',
    async run() {
      const opened = createEvent(
        'QuestionOpened',
        familyId,
        {
          questionId: crypto.randomUUID(),
          localDate: '2026-11-25',
          text: { ko: '오늘 가장 웃겼던 일은?', en: 'What made you laugh today?' },
          openedAt: new Date().toISOString(),
          requiredMemberIds: [],
        },
        { occurredAt: new Date(), correlationId: crypto.randomUUID(), causationId: null },
      );
      await handle(opened);
      await sender.sendDueOnce();
      const { rows } = await sql<{ sent: number }>`
        select count(*)::int as sent from deliveries
        where status = 'sent' and notification_id = (select notification_id from notifications where cause_event_id = ${opened.id}::uuid)`.execute(
        database.db,
      );
      if (rows[0]?.sent !== devices) throw new Error(`${rows[0]?.sent} of ${devices} pushes sent`);
    },
    async close() {
      await sender.stop();
      metrics.stop();
      await fcm.close();
    },
  };
  return {
    scenario,
    async stop() {
      await senderPool.close();
      await database.close();
      await postgres.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

// --- measuring ---

async function measure(scenario: Scenario): Promise<Measurement> {
  await endpoint.clear();
  const endpointCpu = await endpoint.cpu();
  const sender = performance.eventLoopUtilization();
  const endpointLoop = endpoint.utilization();
  // The sender's CPU is the process's less the endpoint thread's: the sending thread, the
  // notifier's send threads (whole path) and V8's helper threads.
  const senderCpu = process.cpuUsage();
  const started = performance.now();
  await scenario.run();
  const seconds = (performance.now() - started) / 1000;
  const processCpuUsed = process.cpuUsage(senderCpu);
  const senderBusy = performance.eventLoopUtilization(sender).utilization;
  const endpointBusy = endpoint.utilization(endpointLoop).utilization;
  const endpointCpuUsed = await endpoint.cpu(endpointCpu);
  await endpoint.expectAccepted(devices);
  return {
    pushesPerSecond: devices / seconds,
    senderBusy,
    endpointBusy,
    senderCpuPerPush:
      (processCpuUsed.user + processCpuUsed.system - endpointCpuUsed.user - endpointCpuUsed.system) / devices,
    endpointCpuPerPush: (endpointCpuUsed.user + endpointCpuUsed.system) / devices,
  };
}

async function startEndpointThread() {
  const worker = new Worker(new URL('./fcm-endpoint-worker.ts', import.meta.url));
  const { url } = await new Promise<{ url: string }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    url,
    utilization: (since?: EventLoopUtilization) => worker.performance.eventLoopUtilization(since),
    /** The endpoint thread's CPU time, since `previous` if given. */
    async cpu(previous?: NodeJS.CpuUsage): Promise<NodeJS.CpuUsage> {
      const answer = new Promise<{ cpu: NodeJS.CpuUsage }>((resolve) => worker.once('message', resolve));
      worker.postMessage('cpu');
      const { cpu } = await answer;
      return previous ? { user: cpu.user - previous.user, system: cpu.system - previous.system } : cpu;
    },
    async clear() {
      const response = await fetch(`${url}/messages`, { method: 'DELETE' });
      if (response.status !== 204) throw new Error(`clearing the endpoint answered ${response.status}`);
    },
    async expectAccepted(count: number) {
      const { messages } = (await (await fetch(`${url}/messages`)).json()) as { messages: unknown[] };
      if (messages.length !== count) throw new Error(`the endpoint accepted ${messages.length} of ${count} pushes`);
    },
    async stop() {
      worker.postMessage('stop');
      await new Promise((resolve) => worker.once('exit', resolve));
    },
  };
}

type EventLoopUtilization = ReturnType<typeof performance.eventLoopUtilization>;

function* chunks<T>(items: readonly T[]): Generator<T[]> {
  for (let start = 0; start < items.length; start += maxMessagesPerSend) {
    yield items.slice(start, start + maxMessagesPerSend);
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function percent(value: number): string {
  return `${Math.round(value * 100)} %`;
}
