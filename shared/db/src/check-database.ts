import { describeFailure } from '@haru/config';
import { sql } from 'kysely';
import type { Database } from './create-database.ts';
import { type MigrationSet, migrator } from './migrate.ts';
import { isDatabaseUnreachable } from './pg-errors.ts';

/** Where DATABASE_URL points, without its credentials: `db.internal:5432/haru`. */
function databaseLocation(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}

/** A failure of PostgreSQL (out of reach, refusing the credentials…) as one sentence naming DATABASE_URL. */
export function databaseFailure(url: string, error: unknown): Error {
  const where = `PostgreSQL at ${databaseLocation(url)} (DATABASE_URL)`;
  return new Error(`${isDatabaseUnreachable(error) ? `cannot reach ${where}` : where}: ${describeFailure(error)}`, {
    cause: error,
  });
}

/**
 * Connects once, so that a database out of reach, or refusing the credentials, stops a
 * process at start with one sentence naming DATABASE_URL, rather than at its first request.
 */
export async function checkDatabaseAnswers<DB>(database: Database<DB>): Promise<void> {
  try {
    await sql`select 1`.execute(database.db);
  } catch (error) {
    throw databaseFailure(database.url, error);
  }
}

/**
 * Checks, as a service starts, that its database answers and its schema has every
 * migration this build knows; throws one sentence saying what to do otherwise. A schema
 * with migrations this build does not know passes: migrations only add, so a replica of
 * the previous build keeps running while a deploy rolls out.
 */
export async function checkSchemaMigrated<DB>(database: Database<DB>, migrations: MigrationSet): Promise<void> {
  await checkDatabaseAnswers(database);
  const missing = (await migrator(database.db, database.schema, migrations).getMigrations())
    .filter((migration) => migration.executedAt === undefined)
    .map((migration) => migration.name);
  if (missing.length > 0) {
    throw new Error(
      `the ${database.schema} schema lacks ${missing.length === 1 ? 'migration' : `${missing.length} migrations, from`} ${missing[0]}: run the service's migrations first (its migrate.ts)`,
    );
  }
}
