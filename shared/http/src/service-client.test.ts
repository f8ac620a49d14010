import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { serviceTokenHeader } from './require-service-token.ts';
import { serviceClient } from './service-client.ts';

const token = 'the-callers-credential-0123456789';

/** Listens on a free loopback port; resolves with the server's URL. */
async function listening(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

// A service that takes only `token`, as every haru service does.
const service = createServer((request, response) => {
  const status = request.headers[serviceTokenHeader] === token ? 200 : 401;
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status }));
});
let url = '';

before(async () => {
  url = await listening(service);
});
after(() => {
  service.closeAllConnections();
  service.close();
});

const call = { method: 'GET', path: '/internal/ping', uid: 'u1', correlationId: 'c1' } as const;

describe('a service calling another', () => {
  test('when the service does not answer at all, then the call is unavailable: try again (503)', async () => {
    const closed = createServer();
    const gone = await listening(closed);
    closed.close();
    await once(closed, 'close');
    await assert.rejects(serviceClient(gone, token)(call), { name: 'HaruError', kind: 'unavailable' });
  });

  test('when the service takes the credential, then its answer comes back as it is', async () => {
    const response = await serviceClient(url, token)(call);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 200 });
  });

  test('when the service refuses the credential, then the call is unavailable (503), not unauthenticated', async () => {
    await assert.rejects(serviceClient(url, 'a-credential-from-before-a-rotation')(call), {
      name: 'HaruError',
      kind: 'unavailable',
    });
  });
});

describe('a kept-alive connection the service closes as a call goes out on it', () => {
  // The service closes the connection of every second request unanswered, as a server whose
  // idle timeout runs out just as the call arrives; the connection's first request is answered.
  const requests: string[] = [];
  const closing = createServer((request, response) => {
    requests.push(`${request.method} ${request.headers['idempotency-key'] ?? ''}`.trim());
    if (requests.length % 2 === 0) request.socket.destroy();
    else response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  let closingUrl = '';
  before(async () => {
    closingUrl = await listening(closing);
  });
  after(() => {
    closing.closeAllConnections();
    closing.close();
  });

  /** A call made on a connection kept alive from the one before; what the service saw of both. */
  const onAKeptAliveConnection = async (second: Parameters<ReturnType<typeof serviceClient>>[0]) => {
    requests.length = 0;
    const client = serviceClient(closingUrl, token);
    assert.equal((await client(call)).status, 200, 'the first call is answered');
    return { outcome: client(second), requests };
  };

  for (const [what, second] of [
    ['a read', call],
    ['a write with an Idempotency-Key', { ...call, method: 'POST', headers: { 'Idempotency-Key': 'k1' }, body: {} }],
    [
      'a write the service answers the same when repeated',
      { ...call, method: 'PUT', body: {}, sameWhenRepeated: true },
    ],
  ] as const) {
    test(`when the call is ${what}, then it is sent once more on another connection and answered`, async () => {
      const { outcome, requests: seen } = await onAKeptAliveConnection(second);
      assert.equal((await outcome).status, 200);
      assert.equal(seen.length, 3, `the service saw ${seen.join(', ')}`);
      assert.equal(seen[1], seen[2], 'the same call twice');
    });
  }

  for (const method of ['POST', 'PUT', 'DELETE'] as const) {
    test(`when the call is a ${method} not said to be repeatable, then it is not sent again: unavailable (503)`, async () => {
      const { outcome, requests: seen } = await onAKeptAliveConnection({ ...call, method });
      await assert.rejects(outcome, { name: 'HaruError', kind: 'unavailable' });
      assert.deepEqual(seen, ['GET', method], 'sent once');
    });
  }
});
