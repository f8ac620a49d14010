// What the answer package offers to tools and benchmarks: its config, schema, migrations and service.
export { type AnswerConfig, loadServiceConfig } from './config.ts';
export { type AnswerDatabase, schema } from './database.ts';
export { migrations } from './migrations/index.ts';
export { startService } from './service.ts';
