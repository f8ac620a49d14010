// `npm run test:chaos [-- --full | --families N --minutes M --kills K --seed S]`: a day of haru
// under faults (see chaos-day.ts), on parts of its own. Prints the verdict; exits 1 unless
// nothing was lost, duplicated or unexpected, every DLQ is empty and the projection matches a replay.
import { parseArgs } from 'node:util';
import { globalSetup, globalTeardown } from '../global-setup.ts';
import { chaosDayPassed, describeReport, runChaosDay } from './chaos-day.ts';

const { values } = parseArgs({
  options: {
    full: { type: 'boolean', default: false },
    families: { type: 'string' },
    minutes: { type: 'string' },
    kills: { type: 'string' },
    seed: { type: 'string' },
  },
});
const size = values.full
  ? { families: 2000, spreadMinutes: 4, killsPerService: 4 }
  : { families: 40, spreadMinutes: 2, killsPerService: 3 };
const number = (text: string | undefined, fallback: number) =>
  text === undefined ? fallback : Number.parseInt(text, 10);

await globalSetup();
let passed = false;
try {
  const report = await runChaosDay({
    families: number(values.families, size.families),
    spreadMinutes: number(values.minutes, size.spreadMinutes),
    killsPerService: number(values.kills, size.killsPerService),
    ...(values.seed ? { seed: number(values.seed, 0) } : {}),
    awsEndpointUrl: process.env.AWS_ENDPOINT_URL as string,
    authEmulatorHost: process.env.FIREBASE_AUTH_EMULATOR_HOST as string,
    log: (line) => console.log(`[chaos] ${line}`),
  });
  console.log(describeReport(report));
  for (const problem of [...report.verdict.lost, ...report.verdict.duplicate, ...report.verdict.unexpected].slice(
    0,
    20,
  )) {
    console.log(`  ${JSON.stringify(problem)}`);
  }
  if (!report.projectionMatchesReplay) console.log(report.projectionVerifyOutput);
  passed = chaosDayPassed(report);
} catch (error) {
  console.error(error);
} finally {
  await globalTeardown();
}
process.exit(passed ? 0 : 1);
