export { createDatabase, type Database, type Executor } from './create-database.ts';
export { migrateToLatest, type MigrationSet } from './migrate.ts';
export { isUniqueViolation, isSerializationFailure } from './pg-errors.ts';
