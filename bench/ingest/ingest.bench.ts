// Ingest: answers per second through the gateway (Firebase token check, validation, rate
// limit) → the answer service (event store + outbox, in one transaction), beside a bare
// Hono route inserting one row with pg, in the same run (see docs/benchmarks.md).
//
//   node bench/ingest/ingest.bench.ts [--quick] [--cpu-prof] [--pg-stats]
//
// The gateway, the answer service and the baseline each run as their own process; the
// answer service's outbox relay publishes to fauxqs as in production (the consuming
// services are not started: their work is not ingest). Each round opens a new question in
// every family and sends every member's answer to it exactly once (64 connections, each
// request a distinct member and question, so each one writes); the baseline gets as many
// requests. A third scenario, the baseline's route on a table with a NOTIFY trigger (as the
// outbox had until its relays were woken after the commit), shows what that trigger costs. One warm-up round, then rounds rotating
// which scenario goes first.
import { join } from 'node:path';
import { launchProcess, waitUntilServing } from '@haru/dev-stack';
import autocannon, { type AutocannonRequest } from 'autocannon';
import pg from 'pg';
import { startBenchServices } from '../support/bench-services.ts';
import { startBenchStack } from '../support/bench-stack.ts';
import { waitFor } from '../support/concurrently.ts';
import { benchAuthEmulatorPids, type CpuUse, measureCpu, withChildren } from '../support/cpu.ts';
import { describeMachine, oneMinuteLoad } from '../support/machine.ts';
import { benchDate, createFamilies, type Member, openQuestions } from '../support/population.ts';
import { readProfile, sized } from '../support/profile.ts';
import { progressLog } from '../support/progress.ts';
import { resultsDir, writeResults } from '../support/results.ts';
import {
  resetStatementStats,
  type StatementStat,
  statementStatsRequested,
  topStatements,
} from '../support/statement-stats.ts';
import { median, percentile, ratio, round } from '../support/stats.ts';

const profile = readProfile();
const families = sized(profile, { quick: 80, full: 1000 });
const membersPerFamily = sized(profile, { quick: 4, full: 5 });
const rounds = sized(profile, { quick: 2, full: 5 });
const connections = 64;
const targets = { throughputRatio: 0.5, p99Ms: 50 };

interface Measurement {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses other than the expected 201, and socket errors or timeouts. */
  failures: number;
  cpu: CpuUse;
}

const log = progressLog('ingest');
const machine = describeMachine();
const startedAt = performance.now();

log(`profile ${profile}: ${families} families × ${membersPerFamily} members, ${rounds} rounds`);
const statementStats = statementStatsRequested();
const stack = await startBenchStack({ name: 'ingest', auth: true, statementStats });
log('stack started');
// `--cpu-prof`: the gateway and the answer service write V8 CPU profiles to bench/results/profiles
// when they stop (open them in Chrome DevTools), to see where an answer's CPU goes.
const cpuProfile = process.argv.includes('--cpu-prof');
const services = await startBenchServices(stack, {
  only: ['gateway', 'answer'],
  ...(cpuProfile
    ? {
        environment: () => ({
          NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${join(resultsDir, 'profiles')}`,
          CONSUMER_WAIT_TIME_SECONDS: '1',
        }),
        stopTimeoutMs: 20_000,
      }
    : {}),
});
log('services started');
const baseline = launchProcess(process.execPath, [new URL('./baseline-server.ts', import.meta.url).pathname], {
  label: 'baseline',
  env: { DATABASE_URL: stack.databaseUrl, PORT: '0', POOL_SIZE: '10' },
  output: () => {},
});
const database = new pg.Pool({ connectionString: stack.databaseUrl, max: 2 });

try {
  const baselineUrl = await waitFor('the baseline to serve', async () => {
    const line = baseline.recentOutput().find((output) => output.startsWith('baseline serving at '));
    return line?.slice('baseline serving at '.length);
  });
  await waitUntilServing(baseline, `${baselineUrl}/healthz`);
  const gateway = services.url('gateway');

  const setupStarted = performance.now();
  const population = await createFamilies({ stack, gateway, families, membersPerFamily });
  log(`${population.length * membersPerFamily} members signed up and joined in ${seconds(setupStarted)} s`);
  // Request i goes to family i mod F: concurrent requests hit different families, as
  // answers from many families do, instead of queueing on one family's question stream.
  const senders: Array<{ familyId: string; member: Member }> = [];
  for (let position = 0; position < membersPerFamily; position++) {
    for (const family of population) {
      const member = family.members[position];
      if (member) senders.push({ familyId: family.familyId, member });
    }
  }
  const familyIds = population.map((family) => family.familyId);

  const cpuGroups = {
    gateway: () => [services.pid('gateway')],
    answer: () => [services.pid('answer')],
    baseline: () => [baseline.pid],
    postgres: () => {
      const pid = stack.postgresPid();
      return pid ? withChildren(pid) : [];
    },
    'Auth emulator': benchAuthEmulatorPids,
    'bench (autocannon, fauxqs)': () => [process.pid],
  };

  const haruRound = async (questions: Map<string, string>): Promise<Measurement> => {
    let next = 0;
    const request: AutocannonRequest = {
      method: 'PUT',
      setupRequest: (template) => {
        const sender = senders[next++ % senders.length];
        if (!sender) throw new Error('no members');
        const questionId = questions.get(sender.familyId);
        return {
          ...template,
          path: `/v1/families/${sender.familyId}/questions/${questionId}/answer`,
          headers: { authorization: `Bearer ${sender.member.idToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ text: `An answer from ${sender.member.memberId}` }),
        };
      },
    };
    return load(gateway, [request], senders.length);
  };

  const baselineRound = async (route: 'answers' | 'notified', label: string): Promise<Measurement> => {
    let next = 0;
    const request: AutocannonRequest = {
      method: 'PUT',
      setupRequest: (template) => {
        const key = `${label}-${next++}`;
        return {
          ...template,
          path: `/${route}/${key}`,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text: `An answer for ${key}` }),
        };
      },
    };
    return load(baselineUrl, [request], baselineRequests);
  };

  const load = async (url: string, requests: AutocannonRequest[], amount: number): Promise<Measurement> => {
    const latencies: number[] = [];
    let failures = 0;
    const cpu = measureCpu(cpuGroups);
    const started = performance.now();
    let lastResponseAt = started;
    const instance = autocannon({ url, connections, amount, requests, timeout: 30 });
    let cpuUse: CpuUse | undefined;
    instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      lastResponseAt = performance.now();
      latencies.push(responseTimeMs);
      if (statusCode !== 201) failures += 1;
      if (latencies.length === amount) cpuUse = cpu.stop();
    });
    const result = await instance;
    // Up to the last response: autocannon notices that `amount` is reached only at its next
    // one-second sample, which would round every round up to whole seconds.
    const elapsed = (lastResponseAt - started) / 1000;
    return {
      requestsPerSecond: round((latencies.length - failures) / elapsed),
      p50Ms: round(percentile(latencies, 50), 1),
      p99Ms: round(percentile(latencies, 99), 1),
      failures: failures + result.errors + result.timeouts,
      cpu: cpuUse ?? cpu.stop(),
    };
  };

  const outboxLength = async () =>
    Number((await database.query('select count(*) as n from answer.outbox')).rows[0]?.n ?? 0);

  // Rows are cheap for the baselines: more requests, so that their rounds last about as long.
  const baselineRequests = Math.max(senders.length, sized(profile, { quick: 800, full: 5000 }));
  const scenarios = ['haru', 'baseline', 'baseline + NOTIFY trigger'] as const;
  type Scenario = (typeof scenarios)[number];
  const measured: Record<Scenario, Measurement[]> = { haru: [], baseline: [], 'baseline + NOTIFY trigger': [] };
  const outboxDrainMs: number[] = [];
  for (let index = 0; index <= rounds; index++) {
    if (index === 1 && statementStats) await resetStatementStats(database);
    const localDate = benchDate(index);
    await openQuestions(stack, familyIds, localDate);
    const questions = await waitFor(
      `questions of ${localDate} to open`,
      async () => {
        const { rows } = await database.query<{ family_id: string; question_id: string }>(
          `select family_id, data->>'questionId' as question_id from answer.events
           where type = 'QuestionOpened' and data->>'localDate' = $1`,
          [localDate],
        );
        return rows.length === families ? new Map(rows.map((row) => [row.family_id, row.question_id])) : undefined;
      },
      { intervalMs: 200 },
    );
    await waitFor('the outbox to drain', async () => (await outboxLength()) === 0, { intervalMs: 20 });

    const order = scenarios.map((_, position) => scenarios[(position + index) % scenarios.length] as Scenario);
    for (const scenario of order) {
      const measurement =
        scenario === 'haru'
          ? await haruRound(questions)
          : await baselineRound(scenario === 'baseline' ? 'answers' : 'notified', `r${index}`);
      if (scenario === 'haru') {
        // The relay keeps publishing after the last response; the next measurement waits for it.
        const drainStarted = performance.now();
        await waitFor('the outbox to drain', async () => (await outboxLength()) === 0, { intervalMs: 10 });
        if (index > 0) outboxDrainMs.push(performance.now() - drainStarted);
      }
      if (index > 0) measured[scenario].push(measurement);
      log(
        `${index === 0 ? 'warm-up' : `round ${index}`}: ${scenario} ${measurement.requestsPerSecond}/s ` +
          `p50 ${measurement.p50Ms} ms p99 ${measurement.p99Ms} ms failures ${measurement.failures} ` +
          `cpu ${JSON.stringify(measurement.cpu.cores)} machine ${measurement.cpu.machineBusy}`,
      );
    }
  }

  const summarise = (runs: Measurement[]) => ({
    requestsPerSecond: round(median(runs.map((run) => run.requestsPerSecond))),
    p50Ms: round(median(runs.map((run) => run.p50Ms)), 1),
    p99Ms: round(median(runs.map((run) => run.p99Ms)), 1),
    failures: runs.reduce((sum, run) => sum + run.failures, 0),
    rounds: runs.map((run) => ({ ...run })),
    cpuCores: Object.fromEntries(
      Object.keys(cpuGroups).map((name) => [name, round(median(runs.map((run) => run.cpu.cores[name] ?? 0)), 2)]),
    ),
    machineBusy: round(median(runs.map((run) => run.cpu.machineBusy)), 2),
  });
  // The measured rounds' statements, haru's and the baselines' together.
  const statements: StatementStat[] | undefined = statementStats ? await topStatements(database) : undefined;
  if (statements) console.table(statements);
  const haru = summarise(measured.haru);
  const bare = summarise(measured.baseline);
  const notified = summarise(measured['baseline + NOTIFY trigger']);
  const throughputRatio = ratio(haru.requestsPerSecond, bare.requestsPerSecond);
  const results = {
    benchmark: 'ingest',
    profile,
    measuredAt: new Date().toISOString(),
    command: `node bench/ingest/ingest.bench.ts${profile === 'quick' ? ' --quick' : ''}`,
    machine: { ...machine, loadAverageAtEnd: oneMinuteLoad() },
    settings: {
      families,
      membersPerFamily,
      requestsPerRound: senders.length,
      baselineRequestsPerRound: baselineRequests,
      rounds,
      warmUpRounds: 1,
      connections,
      processes: 'gateway, answer service and baseline each a process; PostgreSQL; fauxqs on a thread of the bench',
      answerPoolSize: 10,
      baselinePoolSize: 10,
      postgres: stack.settings.postgres,
    },
    scenarios: { haru, baseline: bare, 'baseline + NOTIFY trigger': notified },
    outboxDrainAfterRoundMs: round(median(outboxDrainMs)),
    ...(statements ? { statements } : {}),
    ratio: {
      throughput: throughputRatio,
      notifyTriggerToBaseline: ratio(notified.requestsPerSecond, bare.requestsPerSecond),
    },
    targets,
    meetsTargets: {
      throughput: throughputRatio >= targets.throughputRatio,
      p99: haru.p99Ms <= targets.p99Ms,
    },
    wallSeconds: seconds(startedAt),
  };
  const file = await writeResults('ingest', results);
  log(`wrote ${file}`);
  console.log(
    `ingest: haru ${haru.requestsPerSecond}/s (p50 ${haru.p50Ms} ms, p99 ${haru.p99Ms} ms) vs baseline ` +
      `${bare.requestsPerSecond}/s (p50 ${bare.p50Ms} ms, p99 ${bare.p99Ms} ms): ×${throughputRatio}`,
  );
} catch (error) {
  log(services.recentLogs());
  throw error;
} finally {
  await database.end();
  await baseline.stop(10_000);
  await services.stop();
  await stack.stop();
}

function seconds(since: number): number {
  return round((performance.now() - since) / 1000, 1);
}
