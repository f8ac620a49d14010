import type { Logger } from '@haru/observability';

/**
 * Keeps a service running until SIGTERM or SIGINT, then stops its parts in the given
 * order (stop taking work first, close connections last) and exits.
 */
export function runUntilSignalled(logger: Logger, stops: Array<() => Promise<void>>): void {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    for (const stop of stops) {
      try {
        await stop();
      } catch (error) {
        logger.error({ err: error }, 'error while stopping');
      }
    }
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}
