import {
  Counter,
  type CounterConfiguration,
  collectDefaultMetrics,
  Gauge,
  type GaugeConfiguration,
  Histogram,
  type HistogramConfiguration,
  Registry,
} from 'prom-client';
import { liveHeapBytes } from './live-heap.ts';

export type { Counter, Gauge, Histogram } from 'prom-client';

/** A service process's metrics, served in Prometheus' text format at `GET /metrics`. */
export type Metrics = Registry;

/**
 * The one registry of a service process: Node's process metrics (CPU, memory, event
 * loop, GC) and haru's own, every name prefixed `haru_`, every sample labelled with the
 * service. One per process rather than prom-client's global one, so that services run
 * in one process (as tests do) keep their counts apart.
 */
export function createMetrics(service: string): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'haru_' });
  gauge(registry, {
    name: 'haru_nodejs_heap_live_bytes',
    help: 'JavaScript heap in use just after the last full garbage collection: what the process keeps alive.',
    collect() {
      this.set(liveHeapBytes());
    },
  });
  return registry;
}

type Definition<Configuration> = Omit<Configuration, 'registers'>;

// Each metric is created where it is observed; the same name on the same registry is the
// same metric (e.g. two senders counting the same pushes).

export function counter<Label extends string>(
  metrics: Metrics,
  definition: Definition<CounterConfiguration<Label>>,
): Counter<Label> {
  const existing = metrics.getSingleMetric(definition.name);
  return (existing as Counter<Label> | undefined) ?? new Counter({ ...definition, registers: [metrics] });
}

export function histogram<Label extends string>(
  metrics: Metrics,
  definition: Definition<HistogramConfiguration<Label>>,
): Histogram<Label> {
  const existing = metrics.getSingleMetric(definition.name);
  return (existing as Histogram<Label> | undefined) ?? new Histogram({ ...definition, registers: [metrics] });
}

export function gauge<Label extends string>(
  metrics: Metrics,
  definition: Definition<GaugeConfiguration<Label>>,
): Gauge<Label> {
  const existing = metrics.getSingleMetric(definition.name);
  return (existing as Gauge<Label> | undefined) ?? new Gauge({ ...definition, registers: [metrics] });
}

/** Buckets (seconds) for work done in-process: a request, a handler. */
export const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Buckets (seconds) for delays that may grow to hours: queue lag, a late fire. */
export const delayBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 1800, 3600, 21600];
