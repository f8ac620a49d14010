import assert from 'node:assert/strict';
import { chmod, chown, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { env, loadConfig } from '@haru/config';
import { freePort, startEmbeddedPostgres } from '@haru/dev-stack';
import { eventually } from '@haru/testing';
// @peculiar/x509 needs the Reflect metadata API, which Node does not have.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { sql } from 'kysely';
import pg from 'pg';
import { connectionConfig } from './connection-config.ts';
import { createDatabase } from './create-database.ts';

// A real PostgreSQL serving TLS with a certificate from a throw-away CA made here, and the
// database connection every service opens (createDatabase, from DATABASE_URL) to it.
let root: string;
let postgres: Awaited<ReturnType<typeof startEmbeddedPostgres>>;
let trustedCa: string;
let strangerCa: string;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'haru-tls-'));
  // When tests run as root, PostgreSQL runs as the `postgres` user, which must enter this directory.
  await chmod(root, 0o755);
  const dataDir = join(root, 'postgres');
  postgres = await startEmbeddedPostgres({ dataDir, port: await freePort(), settings: { fsync: 'off' } });

  const ca = await certificateAuthority('haru test CA');
  const server = await ca.issue({ ip: '127.0.0.1' });
  trustedCa = join(root, 'trusted-ca.pem');
  strangerCa = join(root, 'stranger-ca.pem');
  await writeFile(trustedCa, ca.certificate);
  await writeFile(strangerCa, (await certificateAuthority('someone else')).certificate);
  // PostgreSQL reads its key only if the key belongs to it and nobody else may read it.
  const owner = await stat(dataDir);
  for (const [name, text] of [
    ['server.crt', server.certificate],
    ['server.key', server.key],
  ] as const) {
    await writeFile(join(dataDir, name), text, { mode: 0o600 });
    await chown(join(dataDir, name), owner.uid, owner.gid);
  }
  // TLS settings are read again on reload: no second start.
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  try {
    await admin.query("alter system set ssl_cert_file = 'server.crt'");
    await admin.query("alter system set ssl_key_file = 'server.key'");
    await admin.query('alter system set ssl = on');
    await admin.query('select pg_reload_conf()');
  } finally {
    await admin.end();
  }
  await eventually(() => connectsWith(`${postgres.url}?sslmode=verify-full&sslrootcert=${trustedCa}`), {
    timeoutMs: 30_000,
    message: 'PostgreSQL serves TLS',
  });
});

after(async () => {
  await postgres?.stop();
  await rm(root, { recursive: true, force: true });
});

describe('verified TLS to PostgreSQL', () => {
  it('when the server’s CA is trusted and the host is the one certified, then a service connects over TLS', async () => {
    const database = createDatabase({ url: urlWith({ sslrootcert: trustedCa }), schema: 'public', poolSize: 1 });
    try {
      const { rows } = await sql<{ ssl: boolean; version: string }>`
        select ssl, version from pg_stat_ssl where pid = pg_backend_pid()`.execute(database.db);
      assert.equal(rows[0]?.ssl, true);
      assert.match(rows[0]?.version ?? '', /^TLSv1\.[23]$/);
    } finally {
      await database.close();
    }
  });

  it('when a connection outside the pool is made from the database’s URL (the outbox relay’s LISTEN), then it is verified TLS too', async () => {
    const database = createDatabase({ url: urlWith({ sslrootcert: trustedCa }), schema: 'public', poolSize: 1 });
    const listener = new pg.Client(connectionConfig(database.url));
    try {
      await listener.connect();
      const { rows } = await listener.query<{ ssl: boolean }>(
        'select ssl from pg_stat_ssl where pid = pg_backend_pid()',
      );
      assert.equal(rows[0]?.ssl, true);
      await assert.rejects(new pg.Client(connectionConfig(urlWith({ sslrootcert: strangerCa }))).connect(), {
        code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      });
    } finally {
      await listener.end();
      await database.close();
    }
  });

  it('when the server’s certificate comes from a CA not trusted, then the connection is refused', async () => {
    await assert.rejects(connect(urlWith({ sslrootcert: strangerCa })), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    // Node's own CAs, and the RDS bundle, know nothing of the test CA either.
    await assert.rejects(connect(urlWith({})), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    await assert.rejects(connect(urlWith({ sslrootcert: 'rds' })), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });

  it('when the host connected to is not the one the certificate names, then the connection is refused', async () => {
    const url = new URL(urlWith({ sslrootcert: trustedCa }));
    url.hostname = 'localhost';
    await assert.rejects(connect(url.toString()), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });

  it('when PGSSLMODE asks for no verification, then the URL’s verify-full still decides', async () => {
    process.env.PGSSLMODE = 'no-verify';
    try {
      await assert.rejects(connect(urlWith({ sslrootcert: strangerCa })), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    } finally {
      delete process.env.PGSSLMODE;
    }
  });

  it('when DATABASE_URL asks for TLS without verification, then the configuration is refused naming it', () => {
    for (const sslmode of ['no-verify', 'require', 'prefer', 'verify-ca']) {
      const url = `${postgres.url}?sslmode=${sslmode}`;
      assert.throws(() => loadConfig(env.database, { DATABASE_URL: url }), /DATABASE_URL: sslmode=.* would not verify/);
      assert.throws(() => createDatabase({ url, schema: 'public' }), /DATABASE_URL: sslmode=.* would not verify/);
    }
    assert.throws(() => createDatabase({ url: `${postgres.url}?ssl=true`, schema: 'public' }), /DATABASE_URL: ssl /);
    assert.throws(
      () => createDatabase({ url: urlWith({ sslrootcert: join(root, 'missing.pem') }), schema: 'public' }),
      /DATABASE_URL: sslrootcert .*missing\.pem cannot be read \(ENOENT\)/,
    );
  });
});

function urlWith(parameters: Record<string, string>): string {
  const url = new URL(postgres.url);
  url.search = new URLSearchParams({ sslmode: 'verify-full', ...parameters }).toString();
  return url.toString();
}

async function connect(url: string): Promise<void> {
  const database = createDatabase({ url, schema: 'public', poolSize: 1 });
  try {
    await sql`select 1`.execute(database.db);
  } finally {
    await database.close();
  }
}

async function connectsWith(url: string): Promise<boolean> {
  return connect(url).then(
    () => true,
    () => false,
  );
}

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

/** A CA of its own, able to issue a server certificate for an IP address. */
async function certificateAuthority(name: string) {
  x509.cryptoProvider.set(crypto);
  const keys = await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${name}`,
    keys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  return {
    certificate: certificate.toString('pem'),
    async issue({ ip }: { ip: string }) {
      const serverKeys = await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
      const server = await x509.X509CertificateGenerator.create({
        subject: 'CN=haru test database',
        issuer: certificate.subject,
        publicKey: serverKeys.publicKey,
        signingKey: keys.privateKey,
        signingAlgorithm: algorithm,
        extensions: [
          new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: ip }]),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        ],
      });
      const key = Buffer.from(await crypto.subtle.exportKey('pkcs8', serverKeys.privateKey)).toString('base64');
      return {
        certificate: server.toString('pem'),
        key: `-----BEGIN PRIVATE KEY-----\n${key.match(/.{1,64}/g)?.join('\n')}\n-----END PRIVATE KEY-----\n`,
      };
    },
  };
}
