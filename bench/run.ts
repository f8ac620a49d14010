// `npm run bench`: every benchmark at a small size (docs/benchmarks.md says how long), one
// after another (never at once: they would measure each other), then a table of the
// headline figures beside their baselines. `npm run bench -- --full` runs the full sizes.
// `--only ingest,outbox` picks benchmarks. Each benchmark is its own process with its own
// embedded stack and writes bench/results/<name>.json; this runner reads those files and
// writes bench/results/summary.json. See docs/benchmarks.md.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandLine } from '@haru/config';
import { startAuthEmulator } from '@haru/dev-stack';
import { sharedAuthEmulatorVariable } from './support/bench-stack.ts';
import { describeMachine } from './support/machine.ts';
import { benchRoot, formatJson, resultsFile, writeResults } from './support/results.ts';

const { values: args } = commandLine('bench', {
  options: { full: { type: 'boolean', default: false }, only: { type: 'string' } },
});
const profile = args.full ? 'full' : 'quick';
const repoRoot = join(benchRoot, '..');

interface Row {
  benchmark: string;
  figure: string;
  value: string;
  baseline: string;
  ratio: string;
  target: string;
  met: string;
}

interface Benchmark {
  name: string;
  file: string;
  /** Signs users up in the Auth emulator (this runner then starts one for all of them). */
  needsAuth?: boolean;
  /** Arguments for the profile, or why it cannot run at that size. */
  args(source: string): string[] | { skip: string };
  rows(results: Results): Row[];
}

// biome-ignore lint/suspicious/noExplicitAny: results files are read as written by each benchmark
type Results = any;

const flagDeclared = (source: string, flag: string) => new RegExp(`['"]?${flag}['"]?\\s*:\\s*\\{\\s*type`).test(source);

/** `--quick` where the benchmark declares it; the full size is each benchmark's default. */
const quickFlag =
  (fallback?: (source: string) => string[] | undefined) =>
  (source: string): string[] | { skip: string } => {
    if (profile === 'full') return [];
    if (flagDeclared(source, 'quick')) return ['--quick'];
    return fallback?.(source) ?? { skip: 'declares no --quick flag; run it alone for its full size' };
  };

/** This runner's own benchmarks read `--quick` through bench/support/profile.ts. */
const ownQuickFlag = (): string[] => (profile === 'quick' ? ['--quick'] : []);

const mark = (met: boolean | undefined) => (met === undefined ? '' : met ? 'yes' : 'no');
const ms = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? '–' : `${value} ms`);
const perSecond = (value: number | undefined) => (value === undefined ? '–' : `${Math.round(value)}/s`);
const times = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? '–' : `×${value}`);

const benchmarks: Benchmark[] = [
  {
    name: 'burst',
    file: 'burst/burst.bench.ts',
    needsAuth: true,
    args: () => (profile === 'full' ? ['--full'] : []),
    rows: (r) =>
      (r.runs as Results[]).flatMap((run) => {
        const target = (1.25 * run.pushes) / run.ceiling.pushesPerSecond + 1;
        return [
          {
            benchmark: 'on time at the phone',
            figure: `push lateness p50 / p99 / max, ${run.families} families due in one minute (${run.pushes} pushes)`,
            value: `${run.lateness.p50} / ${run.lateness.p99} / ${run.lateness.max} s`,
            baseline: `${run.ceiling.pushesPerSecond}/s (firebase-admin alone)`,
            ratio: `drain ×${run.ceiling.drainRateShare} of it`,
            target: `p99 ≤ ${Math.round(target * 100) / 100} s${run.families <= 1000 ? ' and ≤ 1 s' : ''}`,
            met: mark(run.lateness.p99 <= Math.min(target, run.families <= 1000 ? 1 : target)),
          },
          {
            benchmark: 'on time at the phone',
            figure: 'gateway p99 idle → during the burst; SNS publishes in the due second',
            value: `${run.gateway.idle.p99Ms} → ${run.gateway.duringBurst.p99Ms} ms; ${run.snsPublishesInDueSecond}`,
            baseline: '',
            ratio: times(run.gateway.p99Ratio),
            target: `≤ ×1.5; ≤ ${Math.floor(run.families / 100)}`,
            met: mark(run.gateway.p99Ratio <= 1.5 && run.snsPublishesInDueSecond <= run.families / 100),
          },
        ];
      }),
  },
  {
    name: 'outbox',
    file: 'outbox/outbox.bench.ts',
    args: ownQuickFlag,
    rows: (r) => [
      {
        benchmark: 'outbox relay',
        figure: `events/s, ${r.settings.eventsPerRound} committed rows → SNS`,
        value: perSecond(r.drain.relay.eventsPerSecond),
        baseline: `${perSecond(r.drain['direct PublishBatch'].eventsPerSecond)} (PublishBatch of ${r.settings.snsBatchSize})`,
        ratio: times(r.ratio.throughput),
        target: `≥ ×${r.targets.throughputRatio}`,
        met: mark(r.meetsTargets.throughput),
      },
      {
        benchmark: 'outbox relay',
        figure: `commit → publish p50 / p99 at ${r.steady.eventsPerSecondOffered}/s`,
        value: `${ms(r.steady.commitToPublishMs.p50)} / ${ms(r.steady.commitToPublishMs.p99)}`,
        baseline: '',
        ratio: '',
        target: '',
        met: '',
      },
    ],
  },
  {
    name: 'ingest',
    file: 'ingest/ingest.bench.ts',
    needsAuth: true,
    args: ownQuickFlag,
    rows: (r) => [
      {
        benchmark: 'ingest',
        figure: `answers/s, ${r.settings.connections} connections`,
        value: perSecond(r.scenarios.haru.requestsPerSecond),
        baseline: `${perSecond(r.scenarios.baseline.requestsPerSecond)} (bare Hono + pg insert)`,
        ratio: times(r.ratio.throughput),
        target: `≥ ×${r.targets.throughputRatio}`,
        met: mark(r.meetsTargets.throughput),
      },
      {
        benchmark: 'ingest',
        figure: 'latency p50 / p99',
        value: `${ms(r.scenarios.haru.p50Ms)} / ${ms(r.scenarios.haru.p99Ms)}`,
        baseline: `${ms(r.scenarios.baseline.p50Ms)} / ${ms(r.scenarios.baseline.p99Ms)}`,
        ratio: '',
        target: `p99 ≤ ${r.targets.p99Ms} ms`,
        met: mark(r.meetsTargets.p99),
      },
      {
        benchmark: 'ingest',
        figure: 'baseline + a NOTIFY trigger (as the outbox had)',
        value: perSecond(r.scenarios['baseline + NOTIFY trigger'].requestsPerSecond),
        baseline: perSecond(r.scenarios.baseline.requestsPerSecond),
        ratio: times(r.ratio.notifyTriggerToBaseline),
        target: '',
        met: '',
      },
      ...(r.ages
        ? [
            {
              benchmark: 'ingest',
              figure: 'answers/s and p99 of 3-year-old families',
              value: `${perSecond(r.scenarios['haru, 3 years old'].requestsPerSecond)}, ${ms(r.scenarios['haru, 3 years old'].p99Ms)}`,
              baseline: `${perSecond(r.scenarios.haru.requestsPerSecond)}, ${ms(r.scenarios.haru.p99Ms)} (newborn families)`,
              ratio: `${times(r.ages['haru, 3 years old'].throughputToNewborn)}, p99 ${times(r.ages['haru, 3 years old'].p99ToNewborn)}`,
              target: `≥ ×${r.targets.agedThroughputRatio}, p99 ≤ ×${r.targets.agedP99Ratio}`,
              met: mark(r.meetsTargets.agedThroughput && r.meetsTargets.agedP99),
            },
          ]
        : []),
    ],
  },
  {
    name: 'end-to-end',
    file: 'end-to-end/end-to-end.bench.ts',
    needsAuth: true,
    args: ownQuickFlag,
    rows: (r) =>
      Object.entries(r.configurations as Record<string, Results>).map(([name, c]) => ({
        benchmark: 'end to end',
        figure: `last answer → "everyone answered" push, p50 / p99 (${name}, ${c.families} families)`,
        value: `${ms(c.latencyMs.p50)} / ${ms(c.latencyMs.p99)}`,
        baseline: '',
        ratio: '',
        target: `p50 ≤ ${r.targets.p50Ms} ms, p99 ≤ ${r.targets.p99Ms} ms`,
        met: mark(c.latencyMs.p50 <= r.targets.p50Ms && c.latencyMs.p99 <= r.targets.p99Ms),
      })),
  },
  {
    name: 'scheduler',
    file: 'scheduler/scheduler.bench.ts',
    args: quickFlag(),
    rows: schedulerRows,
  },
  {
    name: 'notifier',
    file: 'notifier/notifier.bench.ts',
    args: quickFlag((source) =>
      flagDeclared(source, 'devices') && flagDeclared(source, 'rounds')
        ? ['--devices', '2000', '--rounds', '2']
        : undefined,
    ),
    rows: (r) => {
      const scenarios = r.scenarios ?? {};
      const baseline = scenarios['node:http baseline']?.pushesPerSecond?.median;
      const admin = scenarios['firebase-admin']?.pushesPerSecond?.median;
      if (baseline === undefined || admin === undefined) return genericRows('notifier', r);
      return [
        {
          benchmark: 'notifier',
          figure: 'pushes/s through firebase-admin',
          value: perSecond(admin),
          baseline: `${perSecond(baseline)} (node:http)`,
          ratio: times(r.ratio?.firebaseAdminToBaseline),
          target: r.targetPushesPerSecond ? `≥ ${r.targetPushesPerSecond}/s` : '',
          met: mark(r.meetsTarget),
        },
      ];
    },
  },
  {
    name: 'due-deliveries',
    file: 'due-deliveries/due-deliveries.bench.ts',
    args: ownQuickFlag,
    rows: (r) => {
      const [initdbDefault, benchStack] = r.configurations as Results[];
      return [
        {
          benchmark: 'due deliveries',
          figure: `PostgreSQL CPU a delivery, claim + record (${r.families} families due at once)`,
          value: `${benchStack.cpuMicrosPerDelivery} µs (claim ${benchStack.claim.cpuMicrosPerDelivery}, record ${benchStack.record.cpuMicrosPerDelivery}; ${benchStack.sharedBuffers} buffer cache)`,
          baseline: `${initdbDefault.cpuMicrosPerDelivery} µs with initdb's ${initdbDefault.sharedBuffers}`,
          ratio: times(r.ratio.cpuWith1GBTo128MB),
          target: '',
          met: '',
        },
      ];
    },
  },
];

/** The scheduler's latest size: haru's due-index beside pg-boss and a cron job per family. */
function schedulerRows(results: Results): Row[] {
  const latest = Object.values(results as Record<string, Results>).sort((a, b) =>
    String(b.at).localeCompare(String(a.at)),
  )[0];
  const variant = (prefix: string) => latest.results.find((result: Results) => result.variant.startsWith(prefix));
  const haru = variant('haru');
  const baselines = ['pg-boss', 'croner'].map(variant).filter(Boolean);
  const seconds = (value: number) => `${Math.round(value / 100) / 10} s`;
  return [
    {
      benchmark: 'scheduler',
      figure: `${latest.families} families due in one minute among ${latest.scheduled}: due → all on SNS`,
      value: seconds(haru.drainMs),
      baseline: baselines.map((b: Results) => `${b.variant} ${seconds(b.drainMs)}`).join('; '),
      ratio: baselines.map((b: Results) => `×${Math.round((b.drainMs / haru.drainMs) * 100) / 100}`).join('; '),
      target: '',
      met: '',
    },
    {
      benchmark: 'scheduler',
      figure: 'lateness after the due instant p50 / p99',
      value: `${seconds(haru.latenessMs.p50)} / ${seconds(haru.latenessMs.p99)}`,
      baseline: baselines
        .map((b: Results) => `${b.variant} ${seconds(b.latenessMs.p50)} / ${seconds(b.latenessMs.p99)}`)
        .join('; '),
      ratio: '',
      target: '',
      met: '',
    },
  ];
}

/** For results whose shape this runner does not know: their ratios and targets, flattened. */
function genericRows(name: string, results: Results): Row[] {
  const flat: Row[] = [];
  const walk = (value: unknown, path: string[]) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) walk(inner, [...path, key]);
    } else if (
      /ratio|meets|target/i.test(path.join('.')) &&
      (typeof value === 'number' || typeof value === 'boolean')
    ) {
      flat.push({
        benchmark: name,
        figure: path.join('.'),
        value: String(value),
        baseline: '',
        ratio: '',
        target: '',
        met: '',
      });
    }
  };
  walk(results, []);
  return flat.length > 0 ? flat.slice(0, 8) : [{ ...emptyRow(name), figure: `see bench/results/${name}.json` }];
}

const emptyRow = (benchmark: string): Row => ({
  benchmark,
  figure: '',
  value: '',
  baseline: '',
  ratio: '',
  target: '',
  met: '',
});

function runBenchmark(file: string, benchArgs: string[], env: NodeJS.ProcessEnv): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(benchRoot, file), ...benchArgs], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('close', (code) => resolve(code));
    child.on('error', () => resolve(null));
  });
}

const only = args.only?.split(',');
const unknown = only?.filter((name) => !benchmarks.some((benchmark) => benchmark.name === name)) ?? [];
if (unknown.length > 0) {
  console.error(
    `bench: no benchmark named ${unknown.join(', ')} (there are ${benchmarks.map(({ name }) => name).join(', ')})`,
  );
  process.exit(2);
}
const selected = benchmarks.filter((benchmark) => !only || only.includes(benchmark.name));
const rows: Row[] = [];
const runs: Array<{ name: string; status: string; seconds?: number; args?: string[] }> = [];
const started = performance.now();
process.stderr.write(`haru benchmarks, ${profile} profile\n`);

// One Auth emulator for the run, started before any measurement and idle during them.
const emulatorDir = await mkdtemp(join(tmpdir(), 'haru-bench-auth-'));
const emulator = selected.some((benchmark) => benchmark.needsAuth)
  ? await startAuthEmulator({ port: 0, workDir: emulatorDir })
  : undefined;
const childEnv = { ...process.env, ...(emulator ? { [sharedAuthEmulatorVariable]: emulator.host } : {}) };
if (emulator) process.stderr.write(`Auth emulator at ${emulator.host}, shared by the benchmarks that sign users up\n`);

for (const benchmark of selected) {
  const path = join(benchRoot, benchmark.file);
  if (!existsSync(path)) {
    runs.push({ name: benchmark.name, status: `skipped: bench/${benchmark.file} does not exist yet` });
    rows.push({ ...emptyRow(benchmark.name), figure: `skipped: bench/${benchmark.file} does not exist yet` });
    continue;
  }
  const benchArgs = benchmark.args(readFileSync(path, 'utf8'));
  if (!Array.isArray(benchArgs)) {
    runs.push({ name: benchmark.name, status: `skipped: ${benchArgs.skip}` });
    rows.push({ ...emptyRow(benchmark.name), figure: `skipped: ${benchArgs.skip}` });
    continue;
  }
  process.stderr.write(`\n▶ node bench/${benchmark.file} ${benchArgs.join(' ')}\n`);
  const benchStarted = performance.now();
  const beganAt = Date.now();
  const code = await runBenchmark(benchmark.file, benchArgs, childEnv);
  const seconds = Math.round((performance.now() - benchStarted) / 100) / 10;
  const file = resultsFile(benchmark.name);
  const fresh = existsSync(file) && statSync(file).mtimeMs >= beganAt;
  const results: Results = fresh ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
  if (code !== 0 || !fresh) {
    const status = code !== 0 ? `failed (exit ${code})` : 'wrote no fresh results';
    runs.push({ name: benchmark.name, status, seconds, args: benchArgs });
    rows.push({ ...emptyRow(benchmark.name), figure: status });
    continue;
  }
  runs.push({ name: benchmark.name, status: 'ok', seconds, args: benchArgs });
  try {
    rows.push(...benchmark.rows(results));
  } catch {
    rows.push(...genericRows(benchmark.name, results));
  }
}
await emulator?.stop();
await rm(emulatorDir, { recursive: true, force: true });
const totalSeconds = Math.round((performance.now() - started) / 100) / 10;

const columns: Array<[keyof Row, string]> = [
  ['benchmark', 'benchmark'],
  ['figure', 'figure'],
  ['value', 'haru'],
  ['baseline', 'baseline'],
  ['ratio', 'ratio'],
  ['target', 'target'],
  ['met', 'met'],
];
const machine = describeMachine();
console.log(
  `\nharu benchmarks (${profile}), ${machine.cpus} × ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}, ` +
    `${totalSeconds} s; load average ${machine.loadAverageAtStart}`,
);
console.log(`| ${columns.map(([, title]) => title).join(' | ')} |`);
console.log(`|${columns.map(() => '---').join('|')}|`);
for (const row of rows) console.log(`| ${columns.map(([key]) => row[key]).join(' | ')} |`);
for (const run of runs) {
  console.log(`${run.name}: ${run.status}${run.seconds === undefined ? '' : ` in ${run.seconds} s`}`);
}
await writeResults('summary', { profile, measuredAt: new Date().toISOString(), machine, totalSeconds, runs, rows });
// The results this run wrote, as the linter formats JSON, so that a run leaves `npm run lint` clean.
formatJson(...runs.filter((run) => run.status === 'ok').map((run) => resultsFile(run.name)));
console.log('results: bench/results/*.json');
process.exitCode = runs.some((run) => run.status.startsWith('failed')) ? 1 : 0;
