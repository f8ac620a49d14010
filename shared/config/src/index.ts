export { ConfigError, loadConfig } from './load-config.ts';
export * as env from './env.ts';
