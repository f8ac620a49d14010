// Secrets never reach the logs: the whole stack at LOG_LEVEL=debug, with a database
// password, an internal credential and a Firebase service-account key each recognisable,
// serves requests that succeed and requests that fail (bad tokens, bad bodies, a wrong
// credential, a service gone), and not one line any service or migration writes holds them.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { services } from '@haru/dev-stack';
import { serviceTokenHeader } from '@haru/http';
import {
  createTestDatabase,
  eventually,
  signInTestUser,
  startTestStack,
  type TestStack,
  type TestUser,
} from '@haru/testing';
import pg from 'pg';
import { craftIdToken } from '../support/craft-id-token.ts';

const password = `db-password-${randomBytes(12).toString('hex')}`;
const privateKey = `HARU-FAKE-PRIVATE-KEY-${randomBytes(12).toString('hex')}`;
const lines: Array<{ service: string; line: string }> = [];
let stack: TestStack;
let user: TestUser;
let credentialsDir: string;

/** A database owned by a role of its own, whose password is `password`. */
async function databaseWithPassword(): Promise<string> {
  const url = new URL(await createTestDatabase());
  const role = `haru_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    await admin.query(`create role ${role} login password '${password}'`);
    await admin.query(`alter database ${admin.escapeIdentifier(url.pathname.slice(1))} owner to ${role}`);
  } finally {
    await admin.end();
  }
  url.username = role;
  url.password = password;
  return url.toString();
}

before(async () => {
  const databaseUrl = await databaseWithPassword();
  credentialsDir = await mkdtemp(join(tmpdir(), 'haru-credentials-'));
  const credentials = join(credentialsDir, 'service-account.json');
  await writeFile(
    credentials,
    JSON.stringify({
      type: 'service_account',
      project_id: 'demo-haru',
      private_key_id: 'fake',
      private_key: `-----BEGIN PRIVATE KEY-----\n${privateKey}\n-----END PRIVATE KEY-----\n`,
      client_email: 'notifier@demo-haru.iam.gserviceaccount.com',
    }),
  );
  stack = await startTestStack({
    environment: (name) => ({
      LOG_LEVEL: 'debug',
      ...(services[name].database ? { DATABASE_URL: databaseUrl } : {}),
      // With the local FCM endpoint the notifier uses a static credential and never reads
      // this file; it is given so that nothing may ever print it either.
      ...(name === 'notifier' ? { GOOGLE_APPLICATION_CREDENTIALS: credentials } : {}),
    }),
    onOutput: (service, line) => lines.push({ service, line }),
  });
  user = await signInTestUser();
});

after(async () => {
  await stack?.stop();
  if (credentialsDir) await rm(credentialsDir, { recursive: true, force: true });
});

test('when requests succeed and fail at LOG_LEVEL=debug, then no log line holds a password, credential, key or token', async () => {
  const gateway = stack.url('gateway');
  const call = (path: string, init: RequestInit = {}) => fetch(`${gateway}${path}`, init);
  const asUser = (token: string, body?: unknown): RequestInit => ({
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const family = {
    name: 'Secrets',
    timezone: 'Asia/Seoul',
    pushTime: '09:00',
    member: { role: 'parent', displayName: 'Mom' },
  };
  const created = await call('/v1/families', { method: 'POST', ...asUser(user.idToken, family) });
  assert.equal(created.status, 201);
  const { familyId } = (await created.json()) as { familyId: string };

  const failures: Array<[string, Promise<Response>, number]> = [
    ['a forged token', call('/v1/families', { method: 'POST', ...asUser(`${user.idToken}x`, family) }), 401],
    [
      'an expired token',
      call(`/v1/families/${familyId}`, asUser(craftIdToken(user.idToken, (claims) => ({ ...claims, exp: 1 })))),
      401,
    ],
    ['a bad body', call('/v1/families', { method: 'POST', ...asUser(user.idToken, { ...family, admin: true }) }), 400],
    ['malformed JSON', call('/v1/families', { method: 'POST', ...asUser(user.idToken), body: '{"name":' }), 400],
    [
      'an internal route with a wrong credential',
      fetch(`${stack.url('answer')}/internal/families/${familyId}`, {
        headers: { [serviceTokenHeader]: `${stack.parts.internalApiToken}x`, 'x-haru-uid': user.uid },
      }),
      401,
    ],
  ];
  for (const [what, pending, status] of failures) assert.equal((await pending).status, status, what);

  // The family's events travel through every consumer (each logs at debug as it handles them).
  await eventually(
    async () =>
      (
        await fetch(`${stack.url('scheduler')}/internal/families/${familyId}/schedule`, {
          headers: { [serviceTokenHeader]: stack.parts.internalApiToken },
        })
      ).ok,
    { message: 'the scheduler has the family' },
  );
  // A service gone: the app is told to try again, and the failed call is logged in full.
  await stack.running.find((service) => service.name === 'answer')?.kill();
  assert.equal((await call(`/v1/families/${familyId}`, asUser(user.idToken))).status, 503);
  // The gateway's log line reaches this process through a pipe, possibly after the response.
  await eventually(() => lines.some(({ service, line }) => service === 'gateway' && line.includes('did not answer')), {
    message: 'the failed call was logged',
  });

  const secrets: Array<[string, string]> = [
    ['the database password', password],
    ['the internal API credential', stack.parts.internalApiToken],
    ['the service account private key', privateKey],
    ['an ID token', user.idToken.split('.')[1] ?? user.idToken],
    ['a bearer credential', 'Bearer '],
  ];
  const leaks = lines.flatMap(({ service, line }) =>
    secrets.filter(([, secret]) => line.includes(secret)).map(([what]) => `${service} logged ${what}: ${line}`),
  );
  assert.deepEqual(leaks, []);
  // The lines were there to search: every service logged, at debug, and the failure was logged.
  const logged = new Set(lines.map(({ service }) => service));
  assert.deepEqual([...logged].sort(), Object.keys(services).sort());
  assert.ok(
    lines.some(({ line }) => line.includes('"level":"debug"')),
    'debug lines were written',
  );
});
