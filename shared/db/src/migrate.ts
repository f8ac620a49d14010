import { type Kysely, sql } from 'kysely';
import { type Migration, Migrator } from 'kysely/migration';

/** Migrations by name; names sort in the order they must run (timestamp first). */
export type MigrationSet = Record<string, Migration>;

/**
 * Brings the service's schema to the latest migration. Safe to run from several
 * replicas at once: Kysely takes a lock on the migration table.
 */
export async function migrateToLatest<DB>(
  database: Kysely<DB>,
  schema: string,
  migrations: MigrationSet,
): Promise<string[]> {
  await sql`create schema if not exists ${sql.id(schema)}`.execute(database);
  const { error, results = [] } = await migrator(database, schema, migrations).migrateToLatest();
  if (error) throw error;
  const failed = results.find((result) => result.status === 'Error');
  if (failed) throw new Error(`migration ${failed.migrationName} failed`);
  return results.map((result) => result.migrationName);
}

/** Kysely's migrator for the service's schema, its table of applied migrations kept in that schema. */
export function migrator<DB>(database: Kysely<DB>, schema: string, migrations: MigrationSet): Migrator {
  return new Migrator({
    db: database as unknown as Kysely<unknown>,
    migrationTableSchema: schema,
    provider: { getMigrations: async () => migrations },
  });
}
