import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const services = ['gateway', 'answer', 'projection', 'scheduler', 'notifier'] as const;

describe("the services' entry points", { concurrency: true }, () => {
  for (const service of services) {
    it(`when the ${service} is started with a malformed setting, then it says which in one line and exits 2`, async () => {
      const failed = await run(process.execPath, [`services/${service}/src/main.ts`], {
        env: { PATH: process.env.PATH, DATABASE_URL: 'mysql://nowhere', INTERNAL_API_TOKEN: 'short' },
      }).then(
        () => assert.fail('it started'),
        (error: { code: number; stderr: string }) => error,
      );
      assert.equal(failed.code, 2);
      const lines = failed.stderr.trim().split('\n');
      assert.equal(lines.length, 1, failed.stderr);
      assert.match(lines[0] ?? '', new RegExp(`^haru ${service}: invalid configuration: .*INTERNAL_API_TOKEN`));
      if (service !== 'gateway') assert.match(lines[0] ?? '', /DATABASE_URL/);
    });
  }
});
