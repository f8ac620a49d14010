// Entry point: brings the scheduler's schema to the latest migration, then exits.
import { migrateFromEnvironment } from '@haru/db';
import { schema } from './database.ts';
import { migrations } from './migrations/index.ts';

await migrateFromEnvironment('scheduler', schema, migrations);
