export { loadServiceConfig, type ServiceConfig } from './config.ts';
export { schema } from './database.ts';
export { migrations } from './migrations/index.ts';
export { type RunningService, type ServiceOptions, startService } from './service.ts';
