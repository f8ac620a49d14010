import { z } from 'zod';

/** Raised at start-up when the environment does not describe a runnable service. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads the variables a process needs from the environment, once, at start-up.
 * Fails naming every missing or malformed variable so a misconfigured deployment
 * never gets as far as serving traffic.
 */
export function loadConfig<Shape extends z.ZodRawShape>(
  shape: Shape,
  source: NodeJS.ProcessEnv = process.env,
): Readonly<z.infer<z.ZodObject<Shape>>> {
  const result = z.object(shape).safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  return Object.freeze(result.data);
}

/**
 * A process's configuration, or, when the environment does not describe a runnable
 * process, one line on stderr naming what is wrong and exit code 2: a bad setting is the
 * operator's to fix, and a stack trace would only hide the line that says which.
 */
export function configOrExit<T>(command: string, load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${command}: ${error.message}`);
    process.exit(2);
  }
}
