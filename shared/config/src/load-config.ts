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
