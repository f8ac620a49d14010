import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDatabase } from '@haru/db';
import { freePort } from '@haru/dev-stack';
import { createLogger, createMetrics } from '@haru/observability';
import { Hono } from 'hono';
import { sql } from 'kysely';
import { serviceApp } from './start-database-service.ts';

const internalApiToken = 'service-app-test-token-0123456789';

test('when the database is out of reach, then a route that needs it answers 503 problem, not 500', async () => {
  // Nothing listens there: the database is down (restarting, failing over).
  const database = createDatabase({ url: `postgres://haru:haru@127.0.0.1:${await freePort()}/haru`, schema: 'answer' });
  try {
    const routes = new Hono().get('/families', async (c) => {
      await sql`select 1`.execute(database.db);
      return c.json([]);
    });
    const app = serviceApp({
      database,
      logger: createLogger('test', 'silent'),
      metrics: createMetrics('test'),
      routes,
      internalApiToken,
    });
    const response = await app.request('/internal/families', { headers: { 'x-haru-service-token': internalApiToken } });
    assert.equal(response.status, 503);
    assert.equal(response.headers.get('content-type'), 'application/problem+json');
    const problem = (await response.json()) as { status: number; detail: string };
    assert.equal(problem.status, 503);
    assert.match(problem.detail, /try again/);
  } finally {
    await database.close();
  }
});

test('when the credential is being rotated, then the internal API and /metrics take the previous one too, nothing else', async () => {
  const database = createDatabase({ url: `postgres://haru:haru@127.0.0.1:${await freePort()}/haru`, schema: 'answer' });
  try {
    const previousInternalApiToken = 'previous-service-app-token-0123456789';
    const app = serviceApp({
      database,
      logger: createLogger('test', 'silent'),
      metrics: createMetrics('test'),
      routes: new Hono().get('/ping', (c) => c.text('pong')),
      internalApiToken,
      previousInternalApiToken,
    });
    const status = async (path: string, token: string) =>
      (await app.request(path, { headers: { 'x-haru-service-token': token } })).status;
    for (const path of ['/internal/ping', '/metrics']) {
      assert.equal(await status(path, internalApiToken), 200, path);
      assert.equal(await status(path, previousInternalApiToken), 200, path);
      assert.equal(await status(path, `${previousInternalApiToken}x`), 401, path);
    }
  } finally {
    await database.close();
  }
});
