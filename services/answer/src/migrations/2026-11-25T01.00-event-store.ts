import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('events')
    .addColumn('global_position', 'bigserial', (column) => column.primaryKey())
    .addColumn('event_id', 'uuid', (column) => column.notNull().unique())
    .addColumn('stream_id', 'text', (column) => column.notNull())
    .addColumn('stream_version', 'integer', (column) => column.notNull())
    .addColumn('type', 'text', (column) => column.notNull())
    .addColumn('data', 'jsonb', (column) => column.notNull())
    .addColumn('family_id', 'uuid', (column) => column.notNull())
    .addColumn('occurred_at', 'timestamptz', (column) => column.notNull())
    .addColumn('correlation_id', 'text', (column) => column.notNull())
    .addColumn('causation_id', 'text')
    // Optimistic concurrency: two writers deciding on the same version cannot both append.
    .addUniqueConstraint('events_stream_version', ['stream_id', 'stream_version'])
    .execute();

  await db.schema
    .createTable('invite_codes')
    .addColumn('code', 'text', (column) => column.primaryKey())
    .addColumn('family_id', 'uuid', (column) => column.notNull())
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();
}
