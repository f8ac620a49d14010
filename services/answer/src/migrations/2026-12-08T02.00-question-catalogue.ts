import { type Kysely, sql } from 'kysely';

/**
 * The question catalogue as data: every imported version in full (its questions by their
 * stable ids), the newest in use. Imported by `npm run catalogue -- import <file>`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('catalogue_versions')
    .addColumn('version', 'integer', (column) => column.primaryKey())
    .addColumn('question_count', 'integer', (column) => column.notNull())
    .addColumn('imported_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('catalogue_questions')
    .addColumn('version', 'integer', (column) => column.notNull().references('catalogue_versions.version'))
    .addColumn('question_id', 'integer', (column) => column.notNull())
    .addColumn('ko', 'text', (column) => column.notNull())
    .addColumn('en', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('catalogue_questions_pkey', ['version', 'question_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('catalogue_questions').execute();
  await db.schema.dropTable('catalogue_versions').execute();
}
