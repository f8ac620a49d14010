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
 * within five minutes; a scrape is given the last count while it is younger than `intervalMs`)
 * at `/metrics`. With `cloudWatch`, every `intervalMs` the same figures, counted afresh, as one
 * CloudWatch embedded-metric-format line on the log (namespace `haru`, dimension `Service`): `DueDeliveryBacklog`, `UpcomingDeliveries`, and for the pushes sent in the
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
  // on the cores the drain needs. So a scrape is given the last count while it is younger than
  // an interval, however often /metrics is scraped; the CloudWatch line, written once an
  // interval, always counts afresh. A failed count is not kept.
  let latest: { at: number; counts: ReturnType<typeof pendingDeliveries> } | undefined;
  const countPending = () => {
    const counts = pendingDeliveries(db, { now: clock(), withinMs: upcomingWithinMs });
    latest = { at: performance.now(), counts };
    counts.catch(() => {
      if (latest?.counts === counts) latest = undefined;
    });
    return counts;
  };
  const recentPending = () => (latest && performance.now() - latest.at < intervalMs ? latest.counts : countPending());
  gauge(metrics, {
    name: 'haru_deliveries_pending',
    help: 'Pending deliveries: due (the backlog the senders are working through) and upcoming (prepared, due within five minutes).',
    labelNames: ['state'],
    async collect() {
      const { due, upcoming } = await recentPending();
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
          const { due, upcoming } = await countPending();
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
