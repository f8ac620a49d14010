// Entry point: brings the notifier's schema to the latest migration, then exits.
import { migrateFromEnvironment } from '@haru/db';
import { schema } from './database.ts';
import { migrations } from './migrations/index.ts';

await migrateFromEnvironment('notifier', schema, migrations);
