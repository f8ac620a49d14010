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
