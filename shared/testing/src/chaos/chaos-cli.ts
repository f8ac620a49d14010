// `npm run test:chaos [-- --full | --families N --minutes M --kills K --seed S]`: a day of haru
// under faults (see chaos-day.ts), on parts of its own. Prints the verdict; exits 1 unless
// nothing was lost, duplicated or unexpected, every DLQ is empty and the projection matches a replay.
import { commandLine, runCommand, wholeNumberOption } from '@haru/config';
import { globalSetup, globalTeardown } from '../global-setup.ts';
import { chaosDayPassed, describeReport, runChaosDay } from './chaos-day.ts';

const { values } = commandLine('test:chaos', {
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
const wholeNumber = (flag: 'families' | 'minutes' | 'kills' | 'seed', fallback: number, min = 1) =>
  wholeNumberOption('test:chaos', flag, values[flag], { fallback, min });

await runCommand('test:chaos', async () => {
  const options = {
    families: wholeNumber('families', size.families),
    spreadMinutes: wholeNumber('minutes', size.spreadMinutes),
    killsPerService: wholeNumber('kills', size.killsPerService, 0),
    ...(values.seed ? { seed: wholeNumber('seed', 0, 0) } : {}),
  };
  await globalSetup();
  try {
    const report = await runChaosDay({
      ...options,
      awsEndpointUrl: process.env.AWS_ENDPOINT_URL as string,
      authEmulatorHost: process.env.FIREBASE_AUTH_EMULATOR_HOST as string,
      log: (line) => console.log(`[chaos] ${line}`),
    });
    console.log(describeReport(report));
    const problems = [...report.verdict.lost, ...report.verdict.duplicate, ...report.verdict.unexpected];
    for (const problem of problems.slice(0, 20)) console.log(`  ${JSON.stringify(problem)}`);
    if (!report.projectionMatchesReplay) console.log(report.projectionVerifyOutput);
    return chaosDayPassed(report) ? 0 : 1;
  } finally {
    await globalTeardown();
  }
});
// What the day started (clients, timers) must not keep the verdict waiting.
process.exit();
