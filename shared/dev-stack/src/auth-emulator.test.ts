// The Auth emulator from firebase-tools, started as `npm start` and the tests start it.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startAuthEmulator } from './auth-emulator.ts';
import { freePort } from './free-port.ts';

describe('the Auth emulator', () => {
  it('when a port it was given is taken as it starts, then it starts again, and serves once the port is free', async () => {
    const workDir = await mkdtemp(join(tmpdir(), 'haru-auth-emulator-'));
    // Another process holds the port until the emulator has found it taken, as a stack
    // starting beside it may take one of the ports picked for it.
    const port = await freePort();
    const holder = createServer().listen(port, '127.0.0.1');
    await once(holder, 'listening');
    const lines: string[] = [];
    const output = (line: string) => {
      lines.push(line);
      if (/port taken/i.test(line)) holder.close();
    };
    const emulator = await startAuthEmulator({ port, workDir, output });
    try {
      assert.ok(
        lines.some((line) => /port taken/i.test(line)),
        `the first start found its port taken:\n${lines.join('\n')}`,
      );
      assert.equal(emulator.host, `127.0.0.1:${port}`);
      assert.equal((await fetch(`http://${emulator.host}/`)).status, 200);
    } finally {
      await emulator.stop();
      holder.close();
      await rm(workDir, { recursive: true, force: true });
    }
  });
});
