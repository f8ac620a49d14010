export * as env from './env.ts';
export { ConfigError, loadConfig } from './load-config.ts';
