import { env, loadConfig } from '@haru/config';
import { createLogger } from '@haru/observability';
import { createDatabase } from './create-database.ts';
import { type MigrationSet, migrateToLatest } from './migrate.ts';

/**
 * The body of each service's `migrate.ts` entry point: reads DATABASE_URL, brings the
 * service's schema to the latest migration and closes the connection.
 */
export async function migrateFromEnvironment(service: string, schema: string, migrations: MigrationSet): Promise<void> {
  const config = loadConfig({ ...env.logging, ...env.database });
  const logger = createLogger(service, config.LOG_LEVEL);
  const database = createDatabase({ url: config.DATABASE_URL, schema, poolSize: 1 });
  try {
    const applied = await migrateToLatest(database.db, schema, migrations);
    logger.info({ schema, applied }, 'migrated');
  } finally {
    await database.close();
  }
}
