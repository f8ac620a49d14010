import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freePort } from './free-port.ts';
import { portIsFree } from './process-info.ts';

describe('a free port', () => {
  it('when picked, then it is below the ephemeral range, so no outgoing connection takes it, and it can be listened on', async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    for (const port of ports) {
      assert.ok(port >= 20_000 && port < 32_768, `port ${port}`);
      assert.ok(await portIsFree(port), `port ${port} can be listened on`);
    }
  });
});
