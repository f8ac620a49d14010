// Benchmark of the scheduler's due-index (docs/benchmarks.md, "Scheduler"): N families due in
// the same minute among M scheduled, drained to SNS, beside two baselines on the same
// PostgreSQL and the same SNS/SQS: pg-boss with one job per family, and one in-process cron
// job per family (croner, the original design).
//
//   node bench/scheduler/scheduler.bench.ts [--quick] [--families 10000] [--scheduled 1000000]
//        [--replicas 1] [--concurrency 2] [--only sns-alone,haru,pg-boss,croner] [--out bench/results/scheduler.json]
//        [--cpu-prof <dir>]   (a V8 CPU profile of each haru replica, written to <dir> when it stops)
import { readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { commandLine, wholeNumberOption } from '@haru/config';
import { createDatabase, migrateToLatest } from '@haru/db';
import { createDatabaseIfMissing, freePort, startEmbeddedPostgres, startLocalAws } from '@haru/dev-stack';
import { type AwsClients, applyTopology, createAwsClients } from '@haru/messaging';
import { migrations, schema } from '@haru/scheduler';
import { awkwardTimeZones as zones } from '@haru/testing';
import { type Kysely, sql } from 'kysely';
import { PgBoss } from 'pg-boss';
import { type CpuUse, measureCpu, withChildren } from '../support/cpu.ts';
import { formatJson } from '../support/results.ts';
import { lateness, readDeliveries, untilQueued } from './answer-queue.ts';
import { type BenchProcess, forkBenchProcess } from './bench-process.ts';
import type { MemoryReport } from './process-memory.ts';

const { values: args } = commandLine('scheduler bench', {
  options: {
    quick: { type: 'boolean', default: false },
    families: { type: 'string' },
    scheduled: { type: 'string' },
    replicas: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '2' },
    'batch-size': { type: 'string', default: '500' },
    'tick-ms': { type: 'string', default: '1000' },
    only: { type: 'string', default: 'sns-alone,haru,pg-boss,croner' },
    out: { type: 'string', default: 'bench/results/scheduler.json' },
    'timeout-s': { type: 'string', default: '600' },
    'cpu-prof': { type: 'string' },
  },
});
const wholeNumber = (option: string, text: string | undefined, fallback?: number) =>
  wholeNumberOption('scheduler bench', option, text, fallback === undefined ? {} : { fallback });
const families = wholeNumber('families', args.families, args.quick ? 2_000 : 10_000);
const scheduled = Math.max(families, wholeNumber('scheduled', args.scheduled, args.quick ? 20_000 : 1_000_000));
const replicas = wholeNumber('replicas', args.replicas);
const concurrency = wholeNumber('concurrency', args.concurrency);
const batchSize = wholeNumber('batch-size', args['batch-size']);
const tickMs = wholeNumber('tick-ms', args['tick-ms']);
const only = new Set(args.only.split(','));
const timeoutMs = wholeNumber('timeout-s', args['timeout-s']) * 1000;
const profileArgs = args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${args['cpu-prof']}`] : [];

let postmasterPid: number | undefined;
const log = (message: string) => console.log(`[${new Date().toISOString().slice(11, 23)}] ${message}`);
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

interface VariantResult {
  variant: string;
  families: number;
  complete: boolean;
  delivered: number;
  distinctFamilies: number;
  /** From the due instant until the last QuestionDue reached SNS, ms. */
  drainMs: number;
  /** Publish time (SQS SentTimestamp) − due time, ms. */
  latenessMs: { p50: number; p99: number; max: number };
  /** When each QuestionDue was created (envelope occurredAt) − due time: the scheduling side alone, ms. */
  firedLatenessMs: { p50: number; p99: number; max: number };
  memory: MemoryReport | undefined;
  /** Cores used per group from the due instant until all were queued, and how busy the machine was. */
  cpu?: CpuUse;
  notes: string[];
  [detail: string]: unknown;
}

/** Waits for N deliveries on the answer queue, stops the processes, reads what arrived. */
async function measureDrain(
  variant: string,
  processes: BenchProcess[],
  aws: AwsClients,
  queueUrl: string,
  dueAt: number,
  notes: string[],
  /** The due instant on the clock of the envelopes' occurredAt (haru's replicas run shifted). */
  firedDueAt = dueAt,
): Promise<VariantResult> {
  // Who kept the two cores busy while it drained: what bounds the figures.
  const cpu = measureCpu({
    measured: () => processes.flatMap((process) => (process.child.pid ? [process.child.pid] : [])),
    postgres: () => (postmasterPid ? withChildren(postmasterPid) : []),
    'fauxqs (benchmark process)': () => [process.pid],
  });
  const waited = await untilQueued(aws.sqs, queueUrl, families, timeoutMs);
  const cpuUse = cpu.stop();
  if (!waited.complete)
    notes.push(`timed out after ${timeoutMs / 1000} s with ${waited.count} of ${families} published`);
  const reports = await Promise.all(processes.map((process) => process.stop()));
  log(`${variant}: ${waited.count} queued; reading them`);
  const deliveries = await readDeliveries(aws.sqs, queueUrl);
  const figures = lateness(deliveries, dueAt);
  const fired = lateness(deliveries, firedDueAt, (delivery) => delivery.occurredAt);
  const memories = reports.map((report) => report.memory);
  return {
    variant,
    families,
    complete: waited.complete && figures.distinctFamilies === families,
    delivered: figures.delivered,
    distinctFamilies: figures.distinctFamilies,
    drainMs: figures.drainMs,
    latenessMs: { p50: figures.p50Ms, p99: figures.p99Ms, max: figures.maxMs },
    firedLatenessMs: { p50: fired.p50Ms, p99: fired.p99Ms, max: fired.maxMs },
    // One process's figures (the largest peak, for several replicas).
    memory: memories.sort((a, b) => b.peak.rssMb - a.peak.rssMb)[0],
    cpu: cpuUse,
    notes,
  };
}

async function markBeforeDue(processes: BenchProcess[], dueAt: number) {
  const wait = dueAt - 300 - Date.now();
  if (wait > 0) await sleep(wait);
  for (const process of processes) process.send({ type: 'mark' });
}

async function runHaru(adminUrl: string, awsEnv: Record<string, string>, aws: AwsClients): Promise<VariantResult> {
  const notes: string[] = [];
  const url = await createDatabaseIfMissing(adminUrl, 'bench_haru');
  const database = createDatabase<unknown>({ url, schema, poolSize: 2 });
  const db = database.db as Kysely<unknown>;
  try {
    await migrateToLatest(db, schema, migrations);
    await sql`truncate family_schedule, fired, outbox, pending_push`.execute(db);
    const prefix = 'bench-haru';
    const topology = await applyTopology(aws, prefix);
    await readDeliveries(aws.sqs, topology.queues.answer.queueUrl); // nothing left from an earlier run

    // The due minute, on the scheduler's clock: any whole minute (its clock is shifted).
    const dueMinute = new Date(Math.ceil(Date.now() / 60_000) * 60_000 + 60 * 60_000);
    log(`haru: inserting ${scheduled} schedules, ${families} due at ${dueMinute.toISOString()}`);
    const started = performance.now();
    await sql`
      insert into family_schedule
        (family_id, timezone, push_time, quiet_hours_start, quiet_hours_end, next_due_at,
         version_occurred_at, version_event_id)
      select gen_random_uuid(), z.timezone, to_char(d.due at time zone z.timezone, 'HH24:MI'), '22:00', '08:00',
             d.due, now(), gen_random_uuid()
      from generate_series(1, ${scheduled}::int) as i
      cross join lateral (select (${zones}::text[])[1 + i % ${zones.length}] as timezone) as z
      cross join lateral (
        select case when i <= ${families}::int then ${dueMinute}::timestamptz
               else ${dueMinute}::timestamptz + (1 + i % 1439) * interval '1 minute' end as due) as d`.execute(db);
    const insertMs = performance.now() - started;
    await sql`vacuum analyze family_schedule`.execute(db);
    const storage = await haruStorage(db, dueMinute);
    log(
      `haru: ${round(insertMs / 1000)} s to insert; index ${storage.dueIndexMb} MB; claim ${storage.claimBatchMs} ms`,
    );

    // The real due instant: once the replicas have had time to start, as pg-boss's worker
    // gets ready for the burst. The tick runs without its lead (SCHEDULER_LEAD_MS=0, and no
    // crowded minute announced ahead of it: SCHEDULER_MAX_LEAD_MS=0), so that
    // what is measured is its own drain at the instant, beside pg-boss and croner firing at
    // it; with the lead, its work moves minutes ahead (bench/burst measures that whole path).
    const dueAt = Date.now() + 6_000 + families * 0.15;
    const env = {
      ...process.env,
      ...awsEnv,
      DATABASE_URL: url,
      HARU_TOPOLOGY_PREFIX: prefix,
      INTERNAL_API_TOKEN: 'bench-internal-api-token-0123456789',
      PORT: '0',
      LOG_LEVEL: 'warn',
      SCHEDULER_TICK_MS: String(tickMs),
      SCHEDULER_TICK_BATCH_SIZE: String(batchSize),
      SCHEDULER_LEAD_MS: '0',
      SCHEDULER_MAX_LEAD_MS: '0',
      BENCH_CLOCK_OFFSET_MS: String(dueMinute.getTime() - dueAt),
    };
    const processes = Array.from({ length: replicas }, () =>
      forkBenchProcess(new URL('./haru-replica.ts', import.meta.url), env, profileArgs),
    );
    await Promise.all(processes.map((process) => process.next('ready')));
    if (Date.now() > dueAt - 500) notes.push('replicas were ready only just before the due instant');
    await markBeforeDue(processes, dueAt);
    const result = await measureDrain(
      `haru due-index ×${replicas}`,
      processes,
      aws,
      topology.queues.answer.queueUrl,
      dueAt,
      notes,
      dueMinute.getTime(),
    );
    const { rows } = await sql<{ fired: number; outbox: number }>`
      select (select count(*)::int from fired where kind = 'question') as fired,
             (select count(*)::int from outbox) as outbox`.execute(db);
    return {
      ...result,
      replicas,
      tickMs,
      batchSize,
      scheduled,
      insertMs: round(insertMs, 0),
      ledger: rows[0],
      storage,
    };
  } finally {
    await database.close();
  }
}

async function haruStorage(db: Kysely<unknown>, dueMinute: Date) {
  const size = async (relation: string) => {
    const { rows } = await sql<{ bytes: string }>`select pg_relation_size(${relation}::regclass) as bytes`.execute(db);
    return round(Number(rows[0]?.bytes ?? 0) / 2 ** 20);
  };
  const claim = (at: Date) => sql`
    select family_id, timezone, push_time, quiet_hours_start, quiet_hours_end, fired_through::text
    from family_schedule where next_due_at <= ${sql.lit(at.toISOString())}::timestamptz
    order by next_due_at limit ${sql.lit(batchSize)} for update skip locked`;
  // Run inside transactions that roll back: FOR UPDATE takes the locks even under EXPLAIN ANALYZE.
  const inRollback = async <T>(work: (trx: Kysely<unknown>) => Promise<T>): Promise<T> => {
    let value: T | undefined;
    await db
      .transaction()
      .execute(async (trx) => {
        value = await work(trx);
        throw new Error('rollback');
      })
      .catch((error: unknown) => {
        if (!(error instanceof Error && error.message === 'rollback')) throw error;
      });
    return value as T;
  };
  const timed = async (at: Date) =>
    inRollback(async (trx) => {
      const started = performance.now();
      await claim(at).execute(trx);
      return round(performance.now() - started, 2);
    });
  const plan = await inRollback(async (trx) => {
    const { rows } = await sql<{ 'QUERY PLAN': string }>`explain (analyze, buffers, costs off) ${claim(
      new Date(dueMinute.getTime() + 1000),
    )}`.execute(trx);
    return rows.map((row) => row['QUERY PLAN']);
  });
  const claimTimes = [];
  for (let i = 0; i < 5; i += 1) claimTimes.push(await timed(new Date(dueMinute.getTime() + 1000)));
  return {
    tableMb: await size('family_schedule'),
    dueIndexMb: await size('family_schedule_next_due_at'),
    primaryKeyMb: await size('family_schedule_pkey'),
    /** One claim of a batch with N due among M (median of five, ms). */
    claimBatchMs: claimTimes.sort((a, b) => a - b)[2] as number,
    /** The idle tick: nothing due (ms). */
    idleTickMs: await timed(new Date(dueMinute.getTime() - 60_000)),
    plan,
  };
}

async function runPgBoss(adminUrl: string, awsEnv: Record<string, string>, aws: AwsClients): Promise<VariantResult> {
  const notes: string[] = [];
  const url = await createDatabaseIfMissing(adminUrl, 'bench_pgboss');
  const topology = await applyTopology(aws, 'bench-pgboss');
  await readDeliveries(aws.sqs, topology.queues.answer.queueUrl);
  const boss = new PgBoss({ connectionString: url, schema: 'pgboss', max: 4, supervise: false });
  boss.on('error', (error) => console.error('pg-boss', error));
  await boss.start();
  const queue = 'question-due';
  await boss.deleteQueue(queue).catch(() => {});
  await boss.createQueue(queue);
  const insert = async (count: number, firstIndex: number, startAfter: (index: number) => Date) => {
    const chunk = 5_000;
    for (let start = 0; start < count; start += chunk) {
      const jobs = Array.from({ length: Math.min(chunk, count - start) }, (_, offset) => {
        const at = startAfter(firstIndex + start + offset);
        return {
          data: { familyId: crypto.randomUUID(), localDate: at.toISOString().slice(0, 10), dueAt: at.toISOString() },
          startAfter: at,
        };
      });
      await boss.insert(queue, jobs);
    }
  };
  log(`pg-boss: inserting ${scheduled - families} jobs due later`);
  let started = performance.now();
  const later = Date.now() + 2 * 60 * 60_000;
  await insert(scheduled - families, 0, (index) => new Date(later + (index % 1439) * 60_000));
  const insertLaterMs = performance.now() - started;
  // The due instant leaves time to insert the due jobs and start the worker (a margin per job well
  // above an insert's cost), so that the drain starts at the instant, not when the inserts end.
  const dueAt = Date.now() + 8_000 + families * 0.1;
  started = performance.now();
  await insert(families, 0, () => new Date(dueAt));
  const insertDueMs = performance.now() - started;
  const catalogue = createDatabase<unknown>({ url, schema: 'pgboss', poolSize: 1 });
  const { rows } = await sql<{ table_mb: number; index_mb: number }>`
    select round(sum(pg_relation_size(c.oid)) filter (where c.relkind = 'r') / 1048576.0, 1)::float as table_mb,
           round(sum(pg_relation_size(c.oid)) filter (where c.relkind = 'i') / 1048576.0, 1)::float as index_mb
    from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'pgboss'`.execute(catalogue.db);
  await catalogue.close();
  await boss.stop({ graceful: false });
  log(`pg-boss: ${round((insertLaterMs + insertDueMs) / 1000)} s to insert; worker starting`);

  const worker = forkBenchProcess(new URL('./pg-boss-worker.ts', import.meta.url), {
    ...process.env,
    ...awsEnv,
    DATABASE_URL: url,
    BENCH_CONCURRENCY: String(concurrency),
    BENCH_TOPIC_ARN: topology.topicArn,
  });
  await worker.next('ready');
  if (Date.now() > dueAt - 500) notes.push('the worker was ready only just before the due instant');
  await markBeforeDue([worker], dueAt);
  const result = await measureDrain(
    'pg-boss job per family',
    [worker],
    aws,
    topology.queues.answer.queueUrl,
    dueAt,
    notes,
  );
  return {
    ...result,
    concurrency: `${concurrency} workers × batches of 100`,
    scheduled,
    insertMs: round(insertLaterMs + insertDueMs, 0),
    storage: { tableMb: rows[0]?.table_mb, indexMb: rows[0]?.index_mb },
  };
}

async function runCroner(awsEnv: Record<string, string>, aws: AwsClients): Promise<VariantResult> {
  const notes: string[] = [];
  const topology = await applyTopology(aws, 'bench-croner');
  await readDeliveries(aws.sqs, topology.queues.answer.queueUrl);
  const inFlight = concurrency * 10; // as many messages in flight as the others' batches of ten
  // Arming a croner job is not free: leave a millisecond per job before the due instant, so that
  // every job is armed before it fires.
  let leadMs = 5_000 + families * 1;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const cron = forkBenchProcess(new URL('./croner-process.ts', import.meta.url), { ...process.env, ...awsEnv });
    await cron.next('ready');
    const dueAt = Math.ceil((Date.now() + leadMs) / 1000) * 1000; // cron patterns have whole seconds
    log(`croner: arming ${families} cron jobs`);
    cron.send({ type: 'arm', families, zones, dueAt, inFlight, topicArn: topology.topicArn });
    const armed = (await cron.next('armed')) as {
      armedAt: number;
      createMs: number;
      empty: { heapUsedMb: number; rssMb: number };
      withJobs: { heapUsedMb: number; rssMb: number };
    };
    if (armed.armedAt > dueAt - 300) {
      await cron.stop();
      leadMs = armed.createMs * 2 + 5_000;
      notes.push(
        `creating the jobs took ${round(armed.createMs)} ms, past the due instant; retried with a longer lead`,
      );
      continue;
    }
    await markBeforeDue([cron], dueAt);
    const result = await measureDrain(
      'croner job per family',
      [cron],
      aws,
      topology.queues.answer.queueUrl,
      dueAt,
      notes,
    );
    const perJobBytes = ((armed.withJobs.heapUsedMb - armed.empty.heapUsedMb) * 2 ** 20) / families;
    return {
      ...result,
      concurrency: `${inFlight} publishes in flight`,
      createMs: round(armed.createMs, 0),
      heapWithoutJobsMb: armed.empty.heapUsedMb,
      heapWithJobsMb: armed.withJobs.heapUsedMb,
      heapPerJobBytes: round(perJobBytes, 0),
      heapFor1MJobsMbEstimate: round((perJobBytes * 1_000_000) / 2 ** 20, 0),
    };
  }
  throw new Error('croner could not arm its jobs before the due instant');
}

async function runSnsAlone(awsEnv: Record<string, string>, aws: AwsClients): Promise<VariantResult> {
  const topology = await applyTopology(aws, 'bench-sns-alone');
  await readDeliveries(aws.sqs, topology.queues.answer.queueUrl);
  const inFlight = 8;
  const publisher = forkBenchProcess(new URL('./sns-alone-process.ts', import.meta.url), { ...process.env, ...awsEnv });
  await publisher.next('ready');
  const dueAt = Date.now() + 2_000;
  publisher.send({ type: 'arm', families, dueAt, inFlight, topicArn: topology.topicArn });
  await publisher.next('armed');
  await markBeforeDue([publisher], dueAt);
  const result = await measureDrain(
    'SNS emulator alone (reference)',
    [publisher],
    aws,
    topology.queues.answer.queueUrl,
    dueAt,
    [],
  );
  return { ...result, concurrency: `${inFlight} PublishBatch in flight` };
}

function failed(variant: string, error: unknown): VariantResult {
  const reason = error instanceof Error ? error.message : String(error);
  log(`${variant} failed: ${reason}`);
  const none = { p50: Number.NaN, p99: Number.NaN, max: Number.NaN };
  return {
    variant: `${variant} (failed)`,
    families,
    complete: false,
    delivered: 0,
    distinctFamilies: 0,
    drainMs: Number.NaN,
    latenessMs: none,
    firedLatenessMs: none,
    memory: undefined,
    notes: [reason],
  };
}

function table(results: VariantResult[]): string {
  const haru = results.find((result) => result.variant.startsWith('haru'));
  const s = (ms: number) => round(ms / 1000, 2);
  const withRatio = (value: number, base: number | undefined) =>
    base === undefined || base <= 0 || !Number.isFinite(value)
      ? `${s(value)}`
      : `${s(value)} (${round(value / base)}×)`;
  const lines = [
    '| variant | published | fired p50 / p99 / last s | drain to SNS s | lateness p50 s | p99 s | RSS before → peak MB | heap before → peak → after GC MB |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const result of results) {
    const { memory, firedLatenessMs: fired } = result;
    lines.push(
      [
        result.variant,
        `${result.distinctFamilies}/${result.families}${result.complete ? '' : ' (incomplete)'}`,
        `${s(fired.p50)} / ${s(fired.p99)} / ${withRatio(fired.max, haru?.firedLatenessMs.max)}`,
        withRatio(result.drainMs, haru?.drainMs),
        withRatio(result.latenessMs.p50, haru?.latenessMs.p50),
        withRatio(result.latenessMs.p99, haru?.latenessMs.p99),
        memory ? `${memory.before.rssMb} → ${memory.peak.rssMb}` : '–',
        memory ? `${memory.before.heapUsedMb} → ${memory.peak.heapUsedMb} → ${memory.after.heapUsedMb}` : '–',
      ]
        .join(' | ')
        .replace(/^/, '| ')
        .concat(' |'),
    );
  }
  return lines.join('\n');
}

async function main() {
  const dataDir = await mkdtemp(join(tmpdir(), 'haru-bench-scheduler-'));
  // Run as root, PostgreSQL runs as the `postgres` user, which must be able to enter it.
  await chmod(dataDir, 0o755);
  const postgres = await startEmbeddedPostgres({ dataDir: join(dataDir, 'pg'), port: await freePort() });
  postmasterPid = Number.parseInt(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8'), 10);
  const localAws = await startLocalAws({ port: await freePort() });
  const awsEnv = {
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: localAws.url,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  };
  const aws = createAwsClients(awsEnv);
  const results: VariantResult[] = [];
  try {
    const admin = createDatabase<unknown>({ url: postgres.url, schema: 'public', poolSize: 1 });
    const { rows } = await sql<{ version: string }>`select version()`.execute(admin.db);
    await admin.close();
    const machine = {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryGb: round(totalmem() / 2 ** 30),
      freeMemoryGb: round(freemem() / 2 ** 30),
      loadAverageAtStart: loadavg().map((load) => round(load, 2)),
      node: process.version,
      postgres: rows[0]?.version.split(' on ')[0],
      sqsSns: 'fauxqs (in the benchmark process)',
    };
    log(`machine: ${JSON.stringify(machine)}`);
    const variants: Array<[string, () => Promise<VariantResult>]> = [
      ['sns-alone', () => runSnsAlone(awsEnv, aws)],
      ['haru', () => runHaru(postgres.url, awsEnv, aws)],
      ['pg-boss', () => runPgBoss(postgres.url, awsEnv, aws)],
      ['croner', () => runCroner(awsEnv, aws)],
    ];
    for (const [name, run] of variants) {
      if (!only.has(name)) continue;
      // A variant that fails (e.g. runs out of heap) is a result too; the others still run.
      results.push(await run().catch((error: unknown) => failed(name, error)));
    }
    const report = table(results);
    console.log(`\n${families} families due in the same minute, ${scheduled} scheduled\n\n${report}\n`);
    for (const result of results) {
      if (result.cpu) console.log(`${result.variant}: cores used ${JSON.stringify(result.cpu)}`);
      if (result.notes.length > 0) console.log(`${result.variant}: ${result.notes.join('; ')}`);
    }
    const haru = results.find((result) => result.variant.startsWith('haru'));
    if (haru?.storage) console.log(`\nharu storage and tick query:\n${JSON.stringify(haru.storage, null, 2)}`);
    await mkdir(dirname(args.out), { recursive: true });
    const existing = (() => {
      try {
        return JSON.parse(readFileSync(args.out, 'utf8')) as Record<string, unknown>;
      } catch {
        return {};
      }
    })();
    const key = `families-${families}`;
    await writeFile(
      args.out,
      `${JSON.stringify({ ...existing, [key]: { at: new Date().toISOString(), machine, families, scheduled, results, table: report } }, null, 2)}\n`,
    );
    formatJson(args.out);
    log(`results written to ${args.out} under "${key}"`);
  } finally {
    await localAws.stop();
    await postgres.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
