import { ConfigError } from './load-config.ts';

/**
 * A failure as one line an operator can act on: the error's own message, which haru's
 * start-up checks write to name the part and the setting (`cannot reach PostgreSQL at …
 * (DATABASE_URL): …`). Node's failed connection to a name with several addresses is an
 * AggregateError without a message; its addresses' failures say what happened.
 */
export function describeFailure(error: unknown): string {
  if (error instanceof AggregateError && error.message === '') {
    return [...new Set(error.errors.map(describeFailure))].join('; ');
  }
  if (error instanceof Error) {
    // The AWS SDK's way of saying that no credentials were found anywhere it looks.
    if (error.name === 'CredentialsProviderError') {
      return `no AWS credentials found (${error.message}): set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`;
    }
    return error.message || error.name;
  }
  return String(error);
}

/**
 * Runs a command (a service's start, a migration, a CLI); a number it resolves to is its exit
 * code. When it fails, stderr gets one line, `<command>: <what is wrong>`, and never a stack
 * trace: a bad setting or a part out of reach is the operator's to fix, and a trace would
 * only hide the line that says which. Exit code 2 for a setting the environment gets wrong (ConfigError),
 * 1 for any other failure. With LOG_LEVEL=debug (or trace) the stack follows the line, for
 * a failure that is haru's own.
 */
export async function runCommand(command: string, main: () => Promise<unknown>): Promise<void> {
  try {
    const code = await main();
    if (typeof code === 'number') process.exitCode = code;
  } catch (error) {
    console.error(`${command}: ${describeFailure(error)}`);
    if (['debug', 'trace'].includes(process.env.LOG_LEVEL ?? '') && error instanceof Error) console.error(error.stack);
    process.exit(error instanceof ConfigError ? 2 : 1);
  }
}
