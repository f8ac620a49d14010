import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import {
  eventually,
  freePort,
  launchService,
  runMigrations,
  type ServiceName,
  type StackParts,
  serviceEnvironment,
  serviceNames,
  services,
  waitUntilReady,
} from '@haru/dev-stack';
import { applyTopology, createAwsClients } from '@haru/messaging';
import { testStackParts } from './test-stack-parts.ts';

const run = promisify(execFile);

describe("the services' entry points", { concurrency: true }, () => {
  for (const service of serviceNames) {
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

/** Starts the service's main.ts as `npm start` does and waits for it to exit; its output and exit code. */
async function startUntilExit(service: ServiceName, parts: StackParts, changed: Record<string, string> = {}) {
  const launched = launchService(service, { ...serviceEnvironment(service, parts), ...changed }, { output: () => {} });
  // A service that starts after all is stopped, and the test fails on its exit code.
  const { code } = await Promise.race([launched.exited, delay(60_000).then(() => launched.stop(1_000))]);
  return { code, lines: launched.recentOutput() };
}

/** Parts whose database has every schema migrated and whose topology is applied. */
async function readyParts(): Promise<StackParts> {
  const parts = await testStackParts();
  const clients = createAwsClients({
    AWS_REGION: parts.awsRegion ?? 'us-east-1',
    AWS_ENDPOINT_URL: parts.awsEndpointUrl,
  });
  await applyTopology(clients, parts.topologyPrefix ?? '');
  await Promise.all(
    serviceNames
      .filter((service) => services[service].database)
      .map((service) => runMigrations(service, serviceEnvironment(service, parts), { output: () => {} })),
  );
  return parts;
}

describe('when a service cannot start, then it says why in one line and exits 1', { concurrency: true }, () => {
  it('when its port is taken, then each service names the address', async () => {
    const parts = await readyParts();
    const taken: Server = createServer();
    const port = await freePort();
    await new Promise<void>((listening) => taken.listen(port, '127.0.0.1', listening));
    try {
      const started = await Promise.all(
        serviceNames.map((service) => startUntilExit(service, parts, { PORT: String(port) })),
      );
      for (const [index, service] of serviceNames.entries()) {
        const { code, lines } = started[index] ?? assert.fail();
        assert.equal(code, 1, lines.join('\n'));
        assert.deepEqual(lines, [
          `haru ${service}: cannot listen on 127.0.0.1:${port}: another process is listening there`,
        ]);
      }
    } finally {
      await new Promise((closed) => taken.close(closed));
    }
  });

  it('when its database is out of reach and it may not wait, then it names DATABASE_URL', async () => {
    const parts = await testStackParts();
    const port = await freePort();
    const { code, lines } = await startUntilExit('scheduler', parts, {
      DATABASE_URL: `postgres://haru:secret@127.0.0.1:${port}/haru`,
      DATABASE_WAIT_MS: '0',
    });
    assert.equal(code, 1, lines.join('\n'));
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(
      lines[0] ?? '',
      new RegExp(
        `^haru scheduler: cannot reach PostgreSQL at 127\\.0\\.0\\.1:${port}/haru \\(DATABASE_URL\\): .*ECONNREFUSED`,
      ),
    );
    assert.doesNotMatch(lines[0] ?? '', /secret/);
  });

  it('when its database refuses the password, then it fails at once, however long it may wait for the database', async () => {
    const parts = await readyParts();
    const url = new URL(serviceEnvironment('scheduler', parts).DATABASE_URL ?? assert.fail('no DATABASE_URL'));
    url.password = 'not-the-password';
    // A wait longer than startUntilExit's: a service that waited would be stopped, not exit 1.
    const { code, lines } = await startUntilExit('scheduler', parts, {
      DATABASE_URL: url.href,
      DATABASE_WAIT_MS: '600000',
    });
    assert.equal(code, 1, lines.join('\n'));
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(
      lines[0] ?? '',
      /^haru scheduler: PostgreSQL at 127\.0\.0\.1:\d+\/\S+ \(DATABASE_URL\): password authentication failed/,
    );
    assert.doesNotMatch(lines[0] ?? '', /not-the-password/);
  });

  it('when its schema was not migrated, then it says to run the migrations', async () => {
    const parts = await testStackParts();
    const { code, lines } = await startUntilExit('answer', parts);
    assert.equal(code, 1, lines.join('\n'));
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(
      lines[0] ?? '',
      /^haru answer: the answer schema lacks \d+ migrations, from \S+: run the service's migrations first/,
    );
  });

  it('when its topology was not applied, then it names the topic and the prefix', async () => {
    const parts = await readyParts();
    const { code, lines } = await startUntilExit('notifier', parts, { HARU_TOPOLOGY_PREFIX: 'unapplied' });
    assert.equal(code, 1, lines.join('\n'));
    assert.deepEqual(lines, [
      'haru notifier: topic unapplied-events not found; apply the topology first (or check HARU_TOPOLOGY_PREFIX, now unapplied)',
    ]);
  });

  it('when SNS/SQS is out of reach, then it names AWS_ENDPOINT_URL', async () => {
    const parts = await readyParts();
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const { code, lines } = await startUntilExit('projection', parts, { AWS_ENDPOINT_URL: endpoint });
    assert.equal(code, 1, lines.join('\n'));
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(
      lines[0] ?? '',
      new RegExp(
        `^haru projection: cannot reach SNS/SQS at ${endpoint} \\(AWS_ENDPOINT_URL, AWS_REGION\\): .*ECONNREFUSED`,
      ),
    );
  });
});

describe('when a service starts while its database is out of reach', () => {
  it('then it says so, waits for it, and starts once the database answers', async () => {
    const parts = await readyParts();
    const database = new URL(parts.databaseUrl);
    // The database comes within reach when this port starts passing connections on to it.
    const port = await freePort();
    const service = launchService(
      'scheduler',
      { ...serviceEnvironment('scheduler', parts), DATABASE_URL: Object.assign(new URL(database), { port }).href },
      { output: () => {} },
    );
    try {
      await eventually(() => service.recentOutput().some((line) => line.includes('waiting up to 120000 ms')), {
        message: 'the scheduler says it waits for its database',
      });
      const [line] = service.recentOutput();
      assert.match(
        JSON.parse(line ?? '{}').msg,
        new RegExp(`^cannot reach PostgreSQL at 127\\.0\\.0\\.1:${port}/\\w+ \\(DATABASE_URL\\): .*ECONNREFUSED`),
      );
      // Either side's end or failure ends both: a connection left open to PostgreSQL (the
      // service killed mid-stream resets its side) would keep this file's process alive.
      const relayed = new Set<Socket>();
      const relay = createServer((incoming) => {
        const outgoing = connect(Number(database.port), database.hostname);
        for (const socket of [incoming, outgoing]) {
          relayed.add(socket);
          socket.on('error', () => {});
          socket.on('close', () => {
            incoming.destroy();
            outgoing.destroy();
            relayed.delete(socket);
          });
        }
        incoming.pipe(outgoing).pipe(incoming);
      });
      await new Promise<void>((listening) => relay.listen(port, '127.0.0.1', listening));
      try {
        await waitUntilReady(service, { timeoutMs: 60_000 });
        assert.equal(service.exitStatus(), undefined);
      } finally {
        await service.stop(5_000);
        relay.close();
        for (const socket of relayed) socket.destroy();
      }
    } finally {
      await service.kill();
    }
  });
});
