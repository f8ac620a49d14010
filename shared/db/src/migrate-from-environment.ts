import { ConfigError, env, loadConfig } from '@haru/config';
import { createLogger } from '@haru/observability';
import { createDatabase } from './create-database.ts';
import { type MigrationSet, migrateToLatest } from './migrate.ts';

/**
 * The body of each service's `migrate.ts` entry point: reads DATABASE_URL, brings the
 * service's schema to the latest migration and closes the connection.
 */
export async function migrateFromEnvironment(service: string, schema: string, migrations: MigrationSet): Promise<void> {
  let config: ReturnType<typeof loadConfig<typeof env.logging & typeof env.database>>;
  let database: ReturnType<typeof createDatabase>;
  try {
    config = loadConfig({ ...env.logging, ...env.database });
    database = createDatabase({ url: config.DATABASE_URL, schema, poolSize: 1 });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // A bad setting is the operator's to fix: one line naming it, not a stack trace.
    console.error(`${service} migrate: ${error.message}`);
    process.exitCode = 2;
    return;
  }
  const logger = createLogger(service, config.LOG_LEVEL);
  try {
    const applied = await migrateToLatest(database.db, schema, migrations);
    logger.info({ schema, applied }, 'migrated');
  } finally {
    await database.close();
  }
}
