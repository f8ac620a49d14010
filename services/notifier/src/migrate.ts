// Brings the notifier's schema to the latest migration, then exits (npm start, deploys).
import { env, loadConfig } from '@haru/config';
import { createDatabase, migrateToLatest } from '@haru/db';
import { createLogger } from '@haru/observability';
import { schema } from './database.ts';
import { migrations } from './migrations/index.ts';

const config = loadConfig({ ...env.logging, ...env.database });
const logger = createLogger('notifier', config.LOG_LEVEL);
const database = createDatabase({ url: config.DATABASE_URL, schema, poolSize: 1 });
try {
  const applied = await migrateToLatest(database.db, schema, migrations);
  logger.info({ applied }, 'notifier schema migrated');
} finally {
  await database.close();
}
