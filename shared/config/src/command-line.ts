import { type ParseArgsConfig, parseArgs } from 'node:util';
import { describeFailure } from './run-command.ts';

/**
 * A command's options and arguments, read with node:util's parseArgs (from process.argv
 * unless `config.args` says otherwise). An unknown option, or one without its value, ends
 * the command with one line, its usage when it has one, and exit code 2.
 */
export function commandLine<const T extends ParseArgsConfig>(
  command: string,
  config: T,
  usage?: string,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    console.error(`${command}: ${describeFailure(error)}${usage ? `\n\n${usage}` : ''}`);
    process.exit(2);
  }
}

/**
 * A whole-number option's value (`--families 1000`), or `fallback` when it was not given.
 * Anything else (`abc`, `1.5`, a number below `min`) ends the command as a malformed option
 * does: one line naming the option, and exit code 2.
 */
export function wholeNumberOption(
  command: string,
  option: string,
  text: string | undefined,
  { fallback, min = 1 }: { fallback?: number; min?: number } = {},
): number {
  if (text === undefined && fallback !== undefined) return fallback;
  const value = Number(text);
  if (text === undefined || !/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min) {
    console.error(
      `${command}: --${option} must be a whole number of at least ${min}, not ${text?.trim() ? text : 'nothing'}`,
    );
    process.exit(2);
  }
  return value;
}
