// Brings the scheduler's schema to the latest migration, then exits (run before the service starts).
import { env, loadConfig } from '@haru/config';
import { createDatabase, migrateToLatest } from '@haru/db';
import { createLogger } from '@haru/observability';
import { schema } from './database.ts';
import { migrations } from './migrations/index.ts';

const config = loadConfig({ ...env.logging, ...env.database });
const logger = createLogger('scheduler', config.LOG_LEVEL);
const database = createDatabase({ url: config.DATABASE_URL, schema, poolSize: 1 });
try {
  const applied = await migrateToLatest(database.db, schema, migrations);
  logger.info({ applied }, 'migrations applied');
} finally {
  await database.close();
}
