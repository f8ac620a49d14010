// What the projection package offers to tools and benchmarks: its config, schema, migrations and service.
export { loadServiceConfig, type ProjectionConfig } from './config.ts';
export { type ProjectionDatabase, schema } from './database.ts';
export { migrations } from './migrations/index.ts';
export { startService } from './service.ts';
