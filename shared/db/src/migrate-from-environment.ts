import { env, loadConfig, runCommand } from '@haru/config';
import { createLogger } from '@haru/observability';
import { checkDatabaseAnswers } from './check-database.ts';
import { createDatabase } from './create-database.ts';
import { type MigrationSet, migrateToLatest } from './migrate.ts';

/**
 * The body of each service's `migrate.ts` entry point: reads DATABASE_URL, brings the
 * service's schema to the latest migration and closes the connection. A bad setting or a
 * database out of reach ends it with one line (see runCommand).
 */
export async function migrateFromEnvironment(service: string, schema: string, migrations: MigrationSet): Promise<void> {
  await runCommand(`${service} migrate`, async () => {
    const config = loadConfig({ ...env.logging, ...env.database });
    const database = createDatabase({ url: config.DATABASE_URL, schema, poolSize: 1, job: 'migrate' });
    const logger = createLogger(service, config.LOG_LEVEL);
    try {
      await checkDatabaseAnswers(database, { waitMs: config.DATABASE_WAIT_MS, logger });
      const applied = await migrateToLatest(database.db, schema, migrations);
      logger.info({ schema, applied }, 'migrated');
    } finally {
      await database.close();
    }
  });
}
