// The outbox and inbox tables every service with a database owns, in its own schema.
// Frozen in time like any migration: a change is a new migration, never an edit.

import type { MigrationSet } from '@haru/db';
import { type Generated, type Kysely, sql } from 'kysely';

export const messagingMigrations: MigrationSet = {
  '2026-11-25T00.00-outbox-and-inbox': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('outbox')
        .addColumn('position', 'bigserial', (column) => column.primaryKey())
        .addColumn('event_id', 'uuid', (column) => column.notNull().unique())
        .addColumn('type', 'text', (column) => column.notNull())
        .addColumn('envelope', 'jsonb', (column) => column.notNull())
        .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
        .execute();
      // One NOTIFY per inserting statement wakes the relay; the channel is per schema
      // so that services sharing a database do not wake each other.
      await sql`
        create function outbox_notify() returns trigger language plpgsql as $$
        begin
          perform pg_notify(tg_table_schema || '_outbox', '');
          return null;
        end $$`.execute(db);
      await sql`
        create trigger outbox_notify after insert on outbox
        for each statement execute function outbox_notify()`.execute(db);

      await db.schema
        .createTable('inbox')
        .addColumn('message_id', 'uuid', (column) => column.primaryKey())
        .addColumn('type', 'text', (column) => column.notNull())
        .addColumn('handled_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
        .execute();
    },
  },
  // The relays are woken by a NOTIFY after the commit instead (see `transactionWithOutbox`):
  // a NOTIFY in the committing transaction holds a database-wide lock through its WAL flush.
  '2026-11-27T00.00-outbox-notify-after-commit': {
    async up(db: Kysely<unknown>) {
      await sql`drop trigger if exists outbox_notify on outbox`.execute(db);
      await sql`drop function if exists outbox_notify()`.execute(db);
    },
  },
  // Events written ahead of the instant they are for (the scheduler's due questions) wait
  // on the outbox until then. Each index serves one of the relay's two claims, so that
  // neither reads past the rows the other takes.
  '2026-11-28T00.00-outbox-publish-at': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('outbox').addColumn('publish_at', 'timestamptz').execute();
      await sql`create index outbox_now on outbox (position) where publish_at is null`.execute(db);
      await sql`create index outbox_held on outbox (publish_at, position) where publish_at is not null`.execute(db);
    },
  },
  // The retention sweep removes inbox rows older than RETENTION_DAYS in batches, each found
  // by this index rather than by reading the whole inbox.
  '2026-12-09T00.00-inbox-handled-at': {
    async up(db: Kysely<unknown>) {
      await sql`create index inbox_handled_at on inbox (handled_at)`.execute(db);
    },
  },
};

/** Columns of the messaging tables, for services' `Database` interfaces. */
export interface MessagingTables {
  outbox: {
    position: Generated<string>;
    event_id: string;
    type: string;
    envelope: unknown;
    created_at: Generated<Date>;
    /** Not published before this instant; null: at once. */
    publish_at: Date | null;
  };
  inbox: {
    message_id: string;
    type: string;
    handled_at: Generated<Date>;
  };
}
