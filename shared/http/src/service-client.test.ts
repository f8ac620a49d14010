import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { serviceTokenHeader } from './require-service-token.ts';
import { serviceClient } from './service-client.ts';

const token = 'the-callers-credential-0123456789';
// A service that takes only `token`, as every haru service does.
const service = createServer((request, response) => {
  const status = request.headers[serviceTokenHeader] === token ? 200 : 401;
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status }));
});
let url = '';

before(async () => {
  service.listen(0, '127.0.0.1');
  await once(service, 'listening');
  url = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
});
after(() => {
  service.closeAllConnections();
  service.close();
});

const call = { method: 'GET', path: '/internal/ping', uid: 'u1', correlationId: 'c1' } as const;

describe('a service calling another', () => {
  test('when the service does not answer at all, then the call is unavailable: try again (503)', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const gone = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
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
