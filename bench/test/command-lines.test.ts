import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

// A benchmark given a wrong option says so in one line, before it starts a stack or writes
// a result (a NaN family count used to wait for ever, an unknown `--only` to overwrite the
// summary with an empty table).

const refusals: Array<[string[], RegExp]> = [
  [['bench/run.ts', '--only', 'burst,bursts'], /^bench: no benchmark named bursts \(there are burst, /],
  [['bench/burst/burst.bench.ts', '--families', '1000,abc'], /^burst bench: --families must be a whole number/],
  [
    ['bench/burst/burst.bench.ts', '--families', '0'],
    /^burst bench: --families must be a whole number of at least 1, not 0$/,
  ],
  [['bench/notifier/notifier.bench.ts', '--rounds', 'x'], /^notifier bench: --rounds must be a whole number/],
  [['bench/scheduler/scheduler.bench.ts', '--replicas', '0'], /^scheduler bench: --replicas must be a whole number/],
  [['bench/due-deliveries/due-deliveries.bench.ts', '--families', '1.5'], /^due-deliveries bench: --families must/],
];

describe("the benchmarks' command lines", { concurrency: true }, () => {
  for (const [args, line] of refusals) {
    it(`when run with ${args.slice(1).join(' ')}, then ${args[0]} says what is wrong in one line and exits 2`, () => {
      const result = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 60_000 });
      const lines = result.stderr.trim().split('\n');
      assert.equal(result.status, 2, result.stderr);
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0] ?? '', line);
    });
  }
});
