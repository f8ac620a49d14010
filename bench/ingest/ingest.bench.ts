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
//
// Families of three ages answer in the same run, each age a scenario of its own: newborn
// families (made through the gateway, as every benchmark's), and families one and three years
// old (made the same way, then given a question a day of history in the event store, as the
// years would have left it). An answer decides on the family's state: the ratio of the old
// families' figures to the newborn's says whether its cost grows with the family's age.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchProcess, waitUntilServing } from '@haru/dev-stack';
import autocannon, { type AutocannonRequest } from 'autocannon';
import pg from 'pg';
import { startBenchServices } from '../support/bench-services.ts';
import { startBenchStack } from '../support/bench-stack.ts';
import { waitFor } from '../support/concurrently.ts';
import { benchAuthEmulatorPids, type CpuUse, measureCpu, withChildren } from '../support/cpu.ts';
import { describeMachine, oneMinuteLoad } from '../support/machine.ts';
import { benchDate, createFamilies, type Family, type Member, openQuestions } from '../support/population.ts';
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
// Per age: newborn, one-year-old and three-year-old families alike. Quick rounds are still
// large enough (800 answers per age) that the ages' ratios are not the noise of a few requests.
const families = sized(profile, { quick: 200, full: 1000 });
const membersPerFamily = sized(profile, { quick: 4, full: 5 });
const rounds = sized(profile, { quick: 5, full: 5 });
const connections = 64;
const targets = { throughputRatio: 0.5, p99Ms: 50, agedThroughputRatio: 0.9, agedP99Ratio: 1.2 };
/** Days of history of the old families, by the scenario they answer in. */
const ages = { 'haru, 1 year old': 365, 'haru, 3 years old': 3 * 365 } as const;
type AgedScenario = keyof typeof ages;

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
  const aged = {} as Record<AgedScenario, Family[]>;
  for (const [scenario, days] of Object.entries(ages) as Array<[AgedScenario, number]>) {
    aged[scenario] = await createFamilies({ stack, gateway, families, membersPerFamily });
    await giveHistory(database, aged[scenario], days, benchDate(-1));
  }
  log(
    `${3 * families * membersPerFamily} members signed up and joined, ${2 * families} families given ` +
      `${Object.values(ages).join(' and ')} days of history, in ${seconds(setupStarted)} s`,
  );
  // Request i goes to family i mod F: concurrent requests hit different families, as
  // answers from many families do, instead of queueing on one family's question stream.
  const sendersOf = (members: Family[]) => {
    const senders: Array<{ familyId: string; member: Member }> = [];
    for (let position = 0; position < membersPerFamily; position++) {
      for (const family of members) {
        const member = family.members[position];
        if (member) senders.push({ familyId: family.familyId, member });
      }
    }
    return senders;
  };
  const senders = sendersOf(population);
  const agedSenders = Object.fromEntries(
    Object.entries(aged).map(([scenario, members]) => [scenario, sendersOf(members)]),
  ) as Record<AgedScenario, ReturnType<typeof sendersOf>>;
  const familyIds = [population, ...Object.values(aged)].flat().map((family) => family.familyId);

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

  const haruRound = async (
    questions: Map<string, string>,
    senders: ReadonlyArray<{ familyId: string; member: Member }>,
  ): Promise<Measurement> => {
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
  const scenarios = ['haru', 'haru, 1 year old', 'haru, 3 years old', 'baseline', 'baseline + NOTIFY trigger'] as const;
  type Scenario = (typeof scenarios)[number];
  const measured = Object.fromEntries(scenarios.map((scenario) => [scenario, []])) as unknown as Record<
    Scenario,
    Measurement[]
  >;
  /** The answer service's resident memory after each haru round (MiB), by scenario. */
  const answerMemoryMiB = Object.fromEntries(scenarios.map((scenario) => [scenario, [] as number[]])) as Record<
    Scenario,
    number[]
  >;
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
        return rows.length === familyIds.length
          ? new Map(rows.map((row) => [row.family_id, row.question_id]))
          : undefined;
      },
      { intervalMs: 200 },
    );
    await waitFor('the outbox to drain', async () => (await outboxLength()) === 0, { intervalMs: 20 });

    const order = scenarios.map((_, position) => scenarios[(position + index) % scenarios.length] as Scenario);
    for (const scenario of order) {
      const measurement =
        scenario === 'haru'
          ? await haruRound(questions, senders)
          : scenario === 'baseline' || scenario === 'baseline + NOTIFY trigger'
            ? await baselineRound(scenario === 'baseline' ? 'answers' : 'notified', `r${index}`)
            : await haruRound(questions, agedSenders[scenario]);
      if (scenario.startsWith('haru')) {
        answerMemoryMiB[scenario].push(residentMiB(services.pid('answer')));
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
  // Each old population against the newborn one, round by round (the same machine state),
  // then the median of those ratios.
  const byAge = Object.fromEntries(
    (Object.keys(ages) as AgedScenario[]).map((scenario) => {
      const rounds = measured[scenario].map((run, position) => ({
        throughput: ratio(run.requestsPerSecond, measured.haru[position]?.requestsPerSecond ?? Number.NaN),
        p99: ratio(run.p99Ms, measured.haru[position]?.p99Ms ?? Number.NaN),
      }));
      return [
        scenario,
        {
          days: ages[scenario],
          summary: summarise(measured[scenario]),
          throughputToNewborn: round(median(rounds.map((r) => r.throughput)), 2),
          p99ToNewborn: round(median(rounds.map((r) => r.p99)), 2),
          rounds,
        },
      ];
    }),
  ) as unknown as Record<
    AgedScenario,
    { days: number; summary: ReturnType<typeof summarise>; throughputToNewborn: number; p99ToNewborn: number }
  >;
  const oldest = byAge['haru, 3 years old'];
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
    scenarios: {
      haru,
      ...Object.fromEntries(Object.entries(byAge).map(([scenario, age]) => [scenario, age.summary])),
      baseline: bare,
      'baseline + NOTIFY trigger': notified,
    },
    ages: Object.fromEntries(Object.entries(byAge).map(([scenario, { summary: _, ...age }]) => [scenario, age])),
    answerServiceMemoryMiB: Object.fromEntries(
      Object.entries(answerMemoryMiB)
        .filter(([, samples]) => samples.length > 0)
        .map(([scenario, samples]) => [scenario, { max: Math.max(...samples), samples }]),
    ),
    historyEvents: await historyEventCount(database),
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
      agedThroughput: oldest.throughputToNewborn >= targets.agedThroughputRatio,
      agedP99: oldest.p99ToNewborn <= targets.agedP99Ratio,
    },
    wallSeconds: seconds(startedAt),
  };
  const file = await writeResults('ingest', results);
  log(`wrote ${file}`);
  console.log(
    `ingest: haru ${haru.requestsPerSecond}/s (p50 ${haru.p50Ms} ms, p99 ${haru.p99Ms} ms) vs baseline ` +
      `${bare.requestsPerSecond}/s (p50 ${bare.p50Ms} ms, p99 ${bare.p99Ms} ms): ×${throughputRatio}`,
  );
  for (const [scenario, age] of Object.entries(byAge)) {
    console.log(
      `ingest: ${scenario} ${age.summary.requestsPerSecond}/s (p50 ${age.summary.p50Ms} ms, p99 ${age.summary.p99Ms} ms): ` +
        `×${age.throughputToNewborn} of newborn families' answers/s, p99 ×${age.p99ToNewborn} (medians of the rounds)`,
    );
  }
} catch (error) {
  log(services.recentLogs());
  throw error;
} finally {
  await database.end();
  await baseline.stop(10_000);
  await services.stop();
  await stack.stop();
}

/**
 * Gives each family `days` of history ending on `lastDate`: a QuestionOpened a day in its
 * stream after what it has, as years of the daily cycle leave it (written directly, in one
 * statement; the family's kept state is then behind, and its first read catches it up, as
 * a family's would after any change of the state's shape).
 */
async function giveHistory(db: pg.Pool, members: Family[], days: number, lastDate: string): Promise<void> {
  await db.query(
    `insert into answer.events (event_id, stream_id, stream_version, type, data, family_id, occurred_at, correlation_id)
     select gen_random_uuid(), 'family-' || f.family_id, v.version + d.day + 1, 'QuestionOpened',
            jsonb_build_object(
              'questionId', gen_random_uuid(),
              'localDate', to_char($3::date - ($2 - 1 - d.day), 'YYYY-MM-DD'),
              'day', d.day,
              'text', jsonb_build_object('ko', '오늘 가장 웃겼던 순간은 언제였나요?', 'en', 'What was the funniest moment of your day?'),
              'openedAt', to_char(($3::date - ($2 - 1 - d.day))::timestamp + interval '20 hours', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
              'requiredMemberIds', f.members,
              'timedBy', to_char(($3::date - ($2 - 1 - d.day))::timestamp + interval '19 hours 55 minutes', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
              'catalogueQuestionId', d.day % 409 + 1, 'cycle', d.day / 409, 'catalogueVersion', 1),
            f.family_id, ($3::date - ($2 - 1 - d.day))::timestamp + interval '20 hours', 'bench-history'
     from jsonb_to_recordset($1::jsonb) as f(family_id uuid, members jsonb)
     cross join lateral (select max(stream_version) as version from answer.events
                         where stream_id = 'family-' || f.family_id) as v
     cross join generate_series(0, $2 - 1) as d(day)`,
    [
      JSON.stringify(
        members.map((family) => ({
          family_id: family.familyId,
          members: family.members.map((member) => member.memberId),
        })),
      ),
      days,
      lastDate,
    ],
  );
}

async function historyEventCount(db: pg.Pool): Promise<number> {
  const { rows } = await db.query(`select count(*) as n from answer.events where correlation_id = 'bench-history'`);
  return Number(rows[0]?.n);
}

/** A process's resident memory in MiB (Linux: /proc), or NaN where it cannot be read. */
function residentMiB(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]);
    return round(kib / 1024, 1);
  } catch {
    return Number.NaN;
  }
}

function seconds(since: number): number {
  return round((performance.now() - since) / 1000, 1);
}
