import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { freePort } from './free-port.ts';

const listenOn = (port: number) =>
  new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });

describe('a free port', () => {
  it('when picked, then it is below the ephemeral range, so no outgoing connection takes it, and it can be listened on', async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    for (const port of ports) {
      assert.ok(port >= 20_000 && port < 32_768, `port ${port}`);
      const server = await listenOn(port);
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
