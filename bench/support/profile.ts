import { parseArgs } from 'node:util';

/**
 * The size a benchmark runs at: `--quick` (what `npm run bench` runs, small enough for the
 * whole set to run in one sitting; docs/benchmarks.md says how long) or full (the default
 * when run alone, and `npm run bench -- --full`).
 */
export type Profile = 'quick' | 'full';

export function readProfile(argv: string[] = process.argv.slice(2)): Profile {
  const { values } = parseArgs({
    args: argv,
    options: { quick: { type: 'boolean', default: false }, full: { type: 'boolean', default: false } },
    strict: false,
  });
  return values.quick && !values.full ? 'quick' : 'full';
}

/** Picks the setting of the profile. */
export const sized = <T>(profile: Profile, sizes: { quick: T; full: T }): T => sizes[profile];
