import { loadServiceConfig } from '../../services/notifier/src/config.ts';

/**
 * The notifier's configuration with its defaults (send threads, batches in flight), loaded
 * with just enough settings to load, so that a benchmark runs what the notifier runs.
 */
export const notifierDefaults = loadServiceConfig({
  DATABASE_URL: 'postgres://haru@127.0.0.1/haru',
  INTERNAL_API_TOKEN: 'only-reading-the-defaults',
  FIREBASE_PROJECT_ID: 'demo-haru',
});
