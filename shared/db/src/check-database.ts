import { setTimeout as delay } from 'node:timers/promises';
import { describeFailure } from '@haru/config';
import type { Logger } from '@haru/observability';
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
 * With `waitMs`, a database out of reach (restarting, failing over) is tried again each
 * second for that long first, saying so once on `logger`; one that refuses the
 * credentials, or has no such database, fails at once: waiting would not mend a setting.
 */
export async function checkDatabaseAnswers<DB>(
  database: Database<DB>,
  { waitMs = 0, logger }: { waitMs?: number; logger?: Logger } = {},
): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    try {
      await sql`select 1`.execute(database.db);
      return;
    } catch (error) {
      if (!isDatabaseUnreachable(error) || Date.now() + retryAfterMs > deadline) {
        throw databaseFailure(database.url, error);
      }
      if (attempt === 0) logger?.warn(`${databaseFailure(database.url, error).message}; waiting up to ${waitMs} ms`);
      await delay(retryAfterMs);
    }
  }
}

const retryAfterMs = 1_000;

/**
 * Checks, as a service starts, that its schema has every migration this build knows;
 * throws one sentence saying what to do otherwise. A schema with migrations this build
 * does not know passes: migrations only add, so a replica of the previous build keeps
 * running while a deploy rolls out.
 */
export async function checkSchemaMigrated<DB>(database: Database<DB>, migrations: MigrationSet): Promise<void> {
  const missing = (await migrator(database.db, database.schema, migrations).getMigrations())
    .filter((migration) => migration.executedAt === undefined)
    .map((migration) => migration.name);
  if (missing.length > 0) {
    throw new Error(
      `the ${database.schema} schema lacks ${missing.length === 1 ? 'migration' : `${missing.length} migrations, from`} ${missing[0]}: run the service's migrations first (its migrate.ts)`,
    );
  }
}
