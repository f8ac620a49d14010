import type { Logger } from '@haru/observability';

export interface PollingLoop {
  /** Runs the work again now instead of at the next interval (e.g. on a NOTIFY). */
  wake(): void;
  /** Lets the current round finish, then ends the loop. */
  stop(): Promise<void>;
}

/**
 * One loop that drains work kept in PostgreSQL (outbox rows, due rows): run, sleep
 * `intervalMs`, run again; woken early by `wake()`; backing off exponentially (to 30 s)
 * while rounds fail. A wake that arrives during a round is remembered, so it is never lost.
 */
export function startPollingLoop({
  name,
  intervalMs,
  logger,
  runOnce,
}: {
  name: string;
  intervalMs: number;
  logger: Logger;
  runOnce: () => Promise<void>;
}): PollingLoop {
  let running = true;
  let woken = false;
  let endSleep: (() => void) | undefined;
  const wake = () => {
    woken = true;
    endSleep?.();
  };

  const loop = (async () => {
    let failures = 0;
    while (running) {
      woken = false;
      try {
        await runOnce();
        failures = 0;
      } catch (error) {
        failures += 1;
        logger.error({ err: error, loop: name, failures }, `${name} failed; retrying`);
      }
      if (!running) break;
      if (woken && failures === 0) continue;
      const delay = failures > 0 ? Math.min(intervalMs * 2 ** failures, 30_000) : intervalMs;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        endSleep = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      endSleep = undefined;
    }
  })();

  return {
    wake,
    async stop() {
      running = false;
      endSleep?.();
      await loop;
    },
  };
}
