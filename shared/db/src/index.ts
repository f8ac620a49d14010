export { checkDatabaseAnswers, checkSchemaMigrated, databaseFailure } from './check-database.ts';
export { connectionConfig } from './connection-config.ts';
export { createDatabase, type Database, type Executor } from './create-database.ts';
export { lockForTransaction } from './lock-for-transaction.ts';
export { type MigrationSet, migrateToLatest } from './migrate.ts';
export { migrateFromEnvironment } from './migrate-from-environment.ts';
export { isDatabaseUnreachable, isUniqueViolation } from './pg-errors.ts';
export { type PollingLoop, startPollingLoop } from './polling-loop.ts';
export { withPlannerSettings } from './with-planner-settings.ts';
