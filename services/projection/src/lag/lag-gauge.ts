import { counter, gauge, type Metrics } from '@haru/observability';

/**
 * How far behind the live read model is: the age of the newest event (by its
 * `occurredAt`) this process has applied. Each replica keeps its own; a monitor takes the
 * maximum over replicas. Newest rather than latest, because events arrive out of order:
 * a late straggler does not make the model look further behind than it is.
 * Note that when no events are produced at all, the age grows although nothing is behind.
 */
export interface LagGauge {
  /** Records an event applied to the model (or found there already). */
  applied(occurredAt: string): void;
}

/**
 * The lag, in the service's registry (served at `/metrics`):
 * - `haru_projection_newest_applied_event_age_seconds`, computed at scrape time; absent
 *   before the first event (there is no age to report, and zero would read as "caught up");
 * - `haru_projection_events_applied_total`, duplicates included.
 */
export function createLagGauge(metrics: Metrics): LagGauge {
  let newest: number | null = null;
  gauge(metrics, {
    name: 'haru_projection_newest_applied_event_age_seconds',
    help: 'Age of the newest event this process has applied to the completion read model.',
    collect() {
      if (newest === null) this.remove();
      else this.set(Math.max(0, Date.now() - newest) / 1000);
    },
  });
  const applied = counter(metrics, {
    name: 'haru_projection_events_applied_total',
    help: 'Events this process has applied, duplicates included.',
  });
  return {
    applied(occurredAt) {
      const at = Date.parse(occurredAt);
      if (newest === null || at > newest) newest = at;
      applied.inc();
    },
  };
}
