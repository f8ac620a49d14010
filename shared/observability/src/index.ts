export { createLogger, type Logger } from './logger.ts';
export {
  type Counter,
  counter,
  createMetrics,
  delayBuckets,
  durationBuckets,
  type Gauge,
  gauge,
  type Histogram,
  histogram,
  type Metrics,
} from './metrics.ts';
