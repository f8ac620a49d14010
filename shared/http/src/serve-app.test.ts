import assert from 'node:assert/strict';
import { Agent, type IncomingMessage, request } from 'node:http';
import { describe, test } from 'node:test';
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

/**
 * Serves `respond` (given a promise that settles once the server has begun to close), sends
 * one request on a keep-alive agent, closes the server while it is under way, and resolves
 * with the response once the close has ended; a close still held after 10 s fails.
 */
async function closeDuringRequest(respond: (closing: Promise<void>) => Response | Promise<Response>) {
  const arrived = Promise.withResolvers<void>();
  const closing = Promise.withResolvers<void>();
  const app = new Hono().get('/', () => {
    arrived.resolve();
    return respond(closing.promise);
  });
  const server = await serveApp(app, { port: 0, host: '127.0.0.1' });
  const agent = new Agent({ keepAlive: true });
  try {
    const answered = new Promise<IncomingMessage>((resolve, reject) =>
      request(`${server.url}/`, { agent }, resolve).on('error', reject).end(),
    );
    await arrived.promise;
    const closed = server.close();
    closing.resolve();
    const response = await answered;
    const body = (await response.toArray()).join('');
    // The keep-alive agent would otherwise hold the connection, and the close, for the keep-alive.
    let deadline: NodeJS.Timeout | undefined;
    await Promise.race([
      closed,
      new Promise((_, reject) => {
        deadline = setTimeout(
          () => reject(new Error('the server did not close once the request was answered')),
          10_000,
        );
      }),
    ]);
    clearTimeout(deadline);
    return { response, body };
  } finally {
    agent.destroy();
  }
}

describe('when the server closes while a request is under way', () => {
  test('then the request is answered, told that its connection closes, and the close ends with it', async () => {
    const { response, body } = await closeDuringRequest(async (closing) => {
      await closing;
      return new Response('ok');
    });
    assert.equal(response.statusCode, 200);
    assert.equal(body, 'ok');
    assert.equal(response.headers.connection, 'close');
  });

  test('when its answer is being streamed, then the stream ends, and the close ends with it', async () => {
    const { response, body } = await closeDuringRequest(
      (closing) =>
        new Response(
          new ReadableStream({
            async start(controller) {
              controller.enqueue(new TextEncoder().encode('first '));
              await closing;
              controller.enqueue(new TextEncoder().encode('last'));
              controller.close();
            },
          }),
        ),
    );
    assert.equal(response.statusCode, 200);
    assert.equal(body, 'first last');
  });
});
