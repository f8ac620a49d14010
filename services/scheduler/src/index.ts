// What the scheduler package offers to tools and benchmarks: its config, schema, migrations and service.
export { loadServiceConfig, type SchedulerConfig } from './config.ts';
export { schema } from './database.ts';
export { migrations } from './migrations/index.ts';
export { type RunningService, type ServiceOptions, startService } from './service.ts';
