import { createDatabase, type Database, migrateToLatest } from '@haru/db';
import { createTestDatabase } from '@haru/testing';
import type { Kysely } from 'kysely';
import { type NotifierDatabase, schema } from '../../src/database.ts';
import { migrations } from '../../src/migrations/index.ts';

/** A fresh database with the notifier's schema migrated, and a pool on it. */
export async function migratedTestDatabase(): Promise<{ url: string; database: Database<NotifierDatabase> }> {
  const url = await createTestDatabase();
  const database = createDatabase<NotifierDatabase>({ url, schema, poolSize: 5 });
  await migrateToLatest(database.db as unknown as Kysely<unknown>, schema, migrations);
  return { url, database };
}
