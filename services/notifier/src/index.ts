export { loadServiceConfig, type NotifierConfig } from './config.ts';
export { type NotifierDatabase, schema } from './database.ts';
export { migrations } from './migrations/index.ts';
export { startService } from './service.ts';
