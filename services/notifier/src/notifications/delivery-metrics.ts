import { delayBuckets, gauge, histogram, type Logger, type Metrics } from '@haru/observability';
import type { Kysely } from 'kysely';
import type { NotifierDatabase } from '../database.ts';
import { type ClaimedDelivery, type DeliveryResult, pendingDeliveries } from './delivery.repository.ts';

/** What the due-delivery sender observes of the promise: how late pushes reach FCM, and what waits. */
export interface DeliveryMetrics {
  observeSent(claimed: readonly ClaimedDelivery[], results: readonly DeliveryResult[], acceptedAt: Date): void;
  stop(): void;
}

/** Prepared deliveries due within this long count as upcoming (what a burst is about to need). */
const upcomingWithinMs = 5 * 60_000;
/** Lateness samples kept per CloudWatch interval, for its p99 and maximum. */
const maxSamples = 10_000;

/**
 * `haru_push_lateness_seconds{kind}` — FCM's acceptance of a push minus its family's instant
 * — and `haru_deliveries_pending{state}` (`due`: the backlog; `upcoming`: prepared, due
 * within five minutes; counted at most once every `intervalMs`) at `/metrics`. With
 * `cloudWatch`, every `intervalMs` the same figures
 * as one CloudWatch embedded-metric-format line on the log (namespace `haru`, dimension
 * `Service`): `DueDeliveryBacklog`, `UpcomingDeliveries`, and for the pushes sent in the
 * interval `PushLatenessP99Seconds` and `PushLatenessMaxSeconds` — what infra/ scales the
 * notifier on and alarms on.
 */
export function deliveryMetrics({
  db,
  metrics,
  logger,
  clock,
  cloudWatch,
  intervalMs = 10_000,
}: {
  db: Kysely<NotifierDatabase>;
  metrics: Metrics;
  logger: Logger;
  clock: () => Date;
  cloudWatch: boolean;
  intervalMs?: number;
}): DeliveryMetrics {
  const lateness = histogram(metrics, {
    name: 'haru_push_lateness_seconds',
    help: "When FCM accepted a push minus its family's instant, by kind (question, complete, reminder).",
    labelNames: ['kind'],
    buckets: delayBuckets,
  });
  // Counting reads every pending delivery due: during a burst's drain, hundreds of thousands,
  // on the cores the drain needs. So the count is made at most once an interval, however often
  // /metrics is scraped, and shared with the CloudWatch line; a failed count is not kept.
  let counted: { at: number; counts: ReturnType<typeof pendingDeliveries> } | undefined;
  const pendingNow = () => {
    const at = performance.now();
    if (!counted || at - counted.at >= intervalMs) {
      const counts = pendingDeliveries(db, { now: clock(), withinMs: upcomingWithinMs });
      counted = { at, counts };
      counts.catch(() => {
        if (counted?.counts === counts) counted = undefined;
      });
    }
    return counted.counts;
  };
  gauge(metrics, {
    name: 'haru_deliveries_pending',
    help: 'Pending deliveries: due (the backlog the senders are working through) and upcoming (prepared, due within five minutes).',
    labelNames: ['state'],
    async collect() {
      const { due, upcoming } = await pendingNow();
      this.set({ state: 'due' }, due);
      this.set({ state: 'upcoming' }, upcoming);
    },
  });

  let samples: number[] = [];
  const timer = cloudWatch
    ? setInterval(async () => {
        const sent = samples.sort((a, b) => a - b);
        samples = [];
        try {
          const { due, upcoming } = await pendingNow();
          const figures = { DueDeliveryBacklog: due, UpcomingDeliveries: upcoming };
          const latenessFigures =
            sent.length === 0
              ? {}
              : {
                  PushLatenessP99Seconds: sent[Math.min(sent.length - 1, Math.floor(sent.length * 0.99))],
                  PushLatenessMaxSeconds: sent.at(-1),
                };
          const units = { DueDeliveryBacklog: 'Count', UpcomingDeliveries: 'Count' } as Record<string, string>;
          for (const name of Object.keys(latenessFigures)) units[name] = 'Seconds';
          logger.info(
            {
              _aws: {
                Timestamp: clock().getTime(),
                CloudWatchMetrics: [
                  {
                    Namespace: 'haru',
                    Dimensions: [['Service']],
                    Metrics: Object.entries(units).map(([Name, Unit]) => ({ Name, Unit })),
                  },
                ],
              },
              Service: 'notifier',
              ...figures,
              ...latenessFigures,
            },
            'notifier metrics',
          );
        } catch (error) {
          logger.warn({ err: error }, 'notifier metrics not written');
        }
      }, intervalMs)
    : undefined;
  timer?.unref();

  return {
    observeSent(claimed, results, acceptedAt) {
      results.forEach((result, position) => {
        const delivery = claimed[position];
        if (result.status !== 'sent' || !delivery) return;
        const seconds = Math.max(acceptedAt.getTime() - delivery.dueAt.getTime(), 0) / 1000;
        lateness.observe({ kind: delivery.kind }, seconds);
        if (cloudWatch && samples.length < maxSamples) samples.push(seconds);
      });
    },
    stop() {
      clearInterval(timer);
    },
  };
}
