// Entry point: brings the projection's schema to the latest migration, then exits.
import { migrateFromEnvironment } from '@haru/db';
import { schema } from './database.ts';
import { migrations } from './migrations/index.ts';

await migrateFromEnvironment('projection', schema, migrations);
