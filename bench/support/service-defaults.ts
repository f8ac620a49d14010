import { loadServiceConfig as loadNotifierConfig } from '../../services/notifier/src/config.ts';
import { loadServiceConfig as loadSchedulerConfig } from '../../services/scheduler/src/config.ts';

/** Just enough settings for a service's configuration to load. */
const required = {
  DATABASE_URL: 'postgres://haru@127.0.0.1/haru',
  INTERNAL_API_TOKEN: 'only-reading-the-defaults',
  FIREBASE_PROJECT_ID: 'demo-haru',
};

/**
 * The services' configurations with their defaults, so that a benchmark runs what the
 * services run: the notifier's send threads and batches in flight, the scheduler's lead and
 * the rate it expects a burst to be prepared at.
 */
export const notifierDefaults = loadNotifierConfig(required);
export const schedulerDefaults = loadSchedulerConfig(required);
