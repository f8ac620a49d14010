import { setTimeout as delay } from 'node:timers/promises';

export interface EventuallyOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Says what was awaited, in the error raised at the deadline. */
  message?: string;
  /** Stops polling early, failing with the signal's reason. */
  signal?: AbortSignal;
}

type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/**
 * Polls `check` until it returns a truthy value without throwing, and returns that value.
 * At the deadline it fails with the last error or falsy result, so waiting for a condition
 * never needs a fixed sleep. A check that asserts must also return something truthy
 * (e.g. `return true`): a check returning nothing is treated as not yet satisfied.
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 25, message, signal }: EventuallyOptions = {},
): Promise<Truthy<Awaited<T>>> {
  const deadline = Date.now() + timeoutMs;
  let lastFailure: unknown;
  for (;;) {
    signal?.throwIfAborted();
    try {
      const value = await check();
      if (value) return value as Truthy<Awaited<T>>;
      lastFailure = `the check returned ${String(value)}`;
    } catch (error) {
      lastFailure = error;
    }
    if (Date.now() >= deadline) {
      const what = message ?? 'condition';
      const reason = lastFailure instanceof Error ? lastFailure.message : String(lastFailure);
      throw new Error(`${what} not met within ${timeoutMs} ms: ${reason}`, { cause: lastFailure });
    }
    await delay(Math.min(intervalMs, Math.max(0, deadline - Date.now())), undefined, { signal }).catch(() => {
      // Aborted while waiting: the next iteration raises the signal's reason.
    });
  }
}
