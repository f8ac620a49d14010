export { commandLine, wholeNumberOption } from './command-line.ts';
export { type DatabaseConnection, databaseUrlProblem, parseDatabaseUrl } from './database-url.ts';
export * as env from './env.ts';
export { ConfigError, loadConfig } from './load-config.ts';
export { describeFailure, runCommand } from './run-command.ts';
