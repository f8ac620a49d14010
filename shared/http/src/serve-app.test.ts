import assert from 'node:assert/strict';
import { Agent, type IncomingMessage, request } from 'node:http';
import { test } from 'node:test';
import { Hono } from 'hono';
import { keepAliveTimeoutMs, serveApp } from './serve-app.ts';

test('when a request is served, then the connection is kept idle for longer than a load balancer keeps it (60 s), and said so', async () => {
  const server = await serveApp(
    new Hono().get('/', (c) => c.text('ok')),
    { port: 0, host: '127.0.0.1' },
  );
  const agent = new Agent({ keepAlive: true });
  try {
    const response = await new Promise<IncomingMessage>((resolve, reject) =>
      request(`${server.url}/`, { agent }, resolve).on('error', reject).end(),
    );
    response.resume();
    assert.equal(response.statusCode, 200);
    // Node announces its server's keep-alive in whole seconds; the client in front reads it.
    assert.equal(response.headers['keep-alive'], `timeout=${keepAliveTimeoutMs / 1000}`);
    assert.ok(keepAliveTimeoutMs > 60_000, 'longer than an AWS load balancer keeps an idle connection by default');
  } finally {
    agent.destroy();
    await server.close();
  }
});
