import { type PollingLoop, startPollingLoop } from '@haru/db';
import { type DeliveryDeps, sendDueDeliveries } from './deliver-notification.ts';
import { notificationsDue } from './notification-repository.ts';

/** Notifications looked up per query of the sweep. */
const batchSize = 100;

/**
 * Sends every pending delivery that is due again: those FCM could not take yet (after
 * their backoff, Retry-After or quota minute) and those whose event handling stopped
 * after the claim (a crash, or an event that ended in the dead-letter queue). Walks the
 * due notifications in id order, `concurrency` at a time; one that is being sent right
 * now (its row is locked) is left to whoever is sending it. Resolves with the number
 * of notifications visited.
 */
export async function sendDueRetries(deps: DeliveryDeps, { concurrency = 1 }: { concurrency?: number } = {}) {
  let visited = 0;
  let afterNotificationId: string | null = null;
  for (;;) {
    const due: string[] = await notificationsDue(deps.db, { now: deps.clock(), afterNotificationId, limit: batchSize });
    const queue = [...due];
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        await sendDueDeliveries(deps, id, { skipLocked: true });
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, due.length) }, worker));
    visited += due.length;
    if (due.length < batchSize) return visited;
    afterNotificationId = due.at(-1) ?? null;
  }
}

/** The retry sweep, every `intervalMs`, on a pool of its own (`concurrency` = its connections). */
export function startRetrySweep(deps: DeliveryDeps & { intervalMs: number; concurrency: number }): PollingLoop {
  const { intervalMs, concurrency, logger } = deps;
  return startPollingLoop({
    name: 'delivery retry sweep',
    intervalMs,
    logger,
    runOnce: async () => {
      await sendDueRetries(deps, { concurrency });
    },
  });
}
