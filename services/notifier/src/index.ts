// What the notifier package offers to tools and benchmarks: its config, schema, migrations and service.
export { loadServiceConfig, type NotifierConfig } from './config.ts';
export { type NotifierDatabase, schema } from './database.ts';
export { migrations } from './migrations/index.ts';
export { startService } from './service.ts';
