import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import { connectionConfig } from './connection-config.ts';

export interface DatabaseOptions {
  /** DATABASE_URL: TLS and authentication are its parameters (see connection-config.ts). */
  url: string;
  /** The service's own PostgreSQL schema: each service sees only its tables. */
  schema: string;
  poolSize?: number;
  /** Run-time parameters every connection starts with (e.g. planner settings for one job's pool). */
  settings?: Readonly<Record<string, string>>;
  /**
   * The job of a pool of its own beside the service's (`sender`, `outbox`, `tick`): its
   * connections are named `haru-<schema>/<job>`, the service's `haru-<schema>`.
   */
  job?: string;
}

export interface Database<DB> {
  db: Kysely<DB>;
  /** The URL it was made from, for connections of the same kind outside the pool (LISTEN). */
  url: string;
  /** What its connections call themselves (PostgreSQL's application_name). */
  application: string;
  /** The pool behind `db`, for what Kysely does not do (LISTEN). */
  pool: pg.Pool;
  schema: string;
  close(): Promise<void>;
}

/** Anything a repository function can run on: the database or an open transaction. */
export type Executor<DB> = Kysely<DB> | Transaction<DB>;

const schemaName = /^[a-z_][a-z0-9_]*$/;
const settingPart = /^[a-z_][a-z0-9_.]*$/;

export function createDatabase<DB>({ url, schema, poolSize = 10, settings = {}, job }: DatabaseOptions): Database<DB> {
  if (!schemaName.test(schema)) throw new Error(`invalid schema name ${schema}`);
  for (const [name, value] of Object.entries(settings)) {
    if (!settingPart.test(name) || !settingPart.test(value)) throw new Error(`invalid setting ${name}=${value}`);
  }
  // Every connection resolves unqualified names in the service's schema, so queries,
  // raw SQL and migrations all stay inside it without naming it.
  const options = Object.entries({ search_path: schema, ...settings })
    .map(([name, value]) => `-c ${name}=${value}`)
    .join(' ');
  // Named, so that pg_stat_activity, the server's logs and RDS Performance Insights tell which
  // service's pool, and which job's, does the work; an application_name in the URL wins.
  const config = connectionConfig(url);
  const application = config.application_name ?? `haru-${schema}${job ? `/${job}` : ''}`;
  const pool = new pg.Pool({ ...config, application_name: application, max: poolSize, options });
  pool.on('error', () => {
    // An idle client lost its connection (e.g. PostgreSQL restarted); the pool replaces it.
  });
  pool.on('connect', (client) => {
    // A checked-out client can lose its connection between queries too (a transaction
    // waiting on SNS or FCM while PostgreSQL restarts). Unheard, that 'error' would end the
    // process; heard, the next query fails and the pool discards the client on release.
    client.on('error', () => {});
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    url,
    application,
    pool,
    schema,
    close: () => db.destroy(),
  };
}
