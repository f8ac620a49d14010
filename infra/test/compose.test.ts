import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createDatabase } from '@haru/db';
import {
  freePort,
  repoRoot,
  type ServiceName,
  type StackParts,
  serviceEnvironment,
  serviceNames,
  services,
} from '@haru/dev-stack';
import { consumerNames, createAwsClients, locateQueues } from '@haru/messaging';
import { createTestDatabase, eventually, uniqueTopologyPrefix } from '@haru/testing';
import { sql } from 'kysely';
import { parse } from 'yaml';
import { loadServiceConfig as answerConfig } from '../../services/answer/src/config.ts';
import { loadServiceConfig as gatewayConfig } from '../../services/gateway/src/config.ts';
import { loadServiceConfig as notifierConfig } from '../../services/notifier/src/config.ts';
import { loadServiceConfig as projectionConfig } from '../../services/projection/src/config.ts';
import { loadServiceConfig as schedulerConfig } from '../../services/scheduler/src/config.ts';

// No Docker engine runs here: these tests hold docker-compose.yml and the Dockerfile to what
// the code expects (ports, variables, commands, images), and run the commands the compose
// file gives its setup job and local parts.

interface ComposeService {
  image?: string;
  build?: { context: string; target: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  profiles?: string[];
  healthcheck?: { test: string[] };
  cpu_shares?: number;
  depends_on?: Record<string, { condition: string; required?: boolean }>;
}

const composeText = readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8');
const compose = parse(composeText, { merge: true }) as { services: Record<string, ComposeService> };
const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');

/** `${NAME:-default}` as compose interpolates it when NAME is unset. */
const interpolate = (value: string) => value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
const environmentOf = (name: string): Record<string, string> =>
  Object.fromEntries(
    Object.entries(compose.services[name]?.environment ?? {}).map(([key, value]) => [key, interpolate(String(value))]),
  );
const service = (name: string): ComposeService => {
  const found = compose.services[name];
  assert.ok(found, `docker-compose.yml has no service ${name}`);
  return found;
};

/** Where compose's parts are, as `npm start` would describe them to the services. */
const composeParts: StackParts = {
  databaseUrl: 'postgres://haru:haru@postgres:5432/haru',
  internalApiToken: 'local-only-internal-api-token',
  awsRegion: 'us-east-1',
  awsEndpointUrl: 'http://fauxqs:4566',
  topologyPrefix: 'haru',
  firebaseProjectId: 'demo-haru',
  authEmulatorHost: 'auth-emulator:9099',
  fcmEndpointUrl: 'http://fcm-endpoint:4010',
  logLevel: 'info',
};

const configLoaders: Record<ServiceName, (env: NodeJS.ProcessEnv) => unknown> = {
  gateway: gatewayConfig,
  answer: answerConfig,
  projection: projectionConfig,
  scheduler: schedulerConfig,
  notifier: notifierConfig,
};

describe('docker-compose.yml', () => {
  it('when parsed, then each haru service runs from the one runtime image with its own command and port', () => {
    for (const name of serviceNames) {
      const { build, image, command, ports } = service(name);
      assert.deepEqual(build, { context: '.', target: 'runtime' });
      assert.equal(image, 'haru:local');
      assert.deepEqual(command, ['node', `services/${name}/src/main.ts`]);
      const { port } = services[name];
      assert.equal(environmentOf(name).PORT, String(port));
      assert.deepEqual(ports, [`127.0.0.1:${port}:${port}`]);
    }
  });

  it('when parsed, then a service that npm start runs at a lower priority has the CPU weight of its nice value', () => {
    for (const name of serviceNames) {
      const { nice } = services[name];
      // The kernel weighs nice 0 at 1024 and each step of nice by 1.25 (docker's default share is 1024).
      const weight = nice === 0 ? undefined : Math.round(1024 / 1.25 ** nice);
      assert.equal(service(name).cpu_shares, weight, `the cpu_shares of ${name}`);
    }
  });

  it('when a service starts, then it gets the variables npm start gives it, pointing at compose’s parts, and its config accepts them', () => {
    for (const name of serviceNames) {
      const expected = Object.fromEntries(
        Object.entries(serviceEnvironment(name, composeParts))
          .filter((entry): entry is [string, string] => entry[1] !== undefined)
          .map(([key, value]) => {
            if (key === 'HOST') return [key, '0.0.0.0'];
            // Another service is reached by its compose name, not on 127.0.0.1.
            const other = serviceNames.find((candidate) => value === `http://127.0.0.1:${services[candidate].port}`);
            return [key, other ? `http://${other}:${services[other].port}` : value];
          }),
      );
      const actual = environmentOf(name);
      assert.deepEqual(actual, expected, `the environment of ${name}`);
      assert.doesNotThrow(() => configLoaders[name](actual), `${name}'s config rejects its compose environment`);
    }
  });

  it('when parsed, then every haru service is health-checked on /readyz and the local parts on their health routes', () => {
    for (const name of serviceNames) {
      assert.match(
        service(name).healthcheck?.test.join(' ') ?? '',
        new RegExp(`127\\.0\\.0\\.1:${services[name].port}/readyz`),
      );
    }
    assert.match(service('auth-emulator').healthcheck?.test.join(' ') ?? '', /127\.0\.0\.1:9099\//);
    assert.match(service('fcm-endpoint').healthcheck?.test.join(' ') ?? '', /127\.0\.0\.1:4010\/healthz/);
    assert.match(service('postgres').healthcheck?.test.join(' ') ?? '', /pg_isready/);
  });

  it('when started, then the setup job waits for PostgreSQL and SNS/SQS, and the services wait for it and their parts', () => {
    assert.deepEqual(service('setup').depends_on, {
      postgres: { condition: 'service_healthy' },
      fauxqs: { condition: 'service_healthy' },
      localstack: { condition: 'service_healthy', required: false },
    });
    for (const name of serviceNames.filter((candidate) => candidate !== 'gateway')) {
      assert.deepEqual(service(name).depends_on?.setup, { condition: 'service_completed_successfully' });
    }
    assert.deepEqual(service('notifier').depends_on?.['fcm-endpoint'], { condition: 'service_healthy' });
    const gatewayDependencies = service('gateway').depends_on ?? {};
    for (const dependency of ['answer', 'projection', 'scheduler', 'notifier', 'auth-emulator']) {
      assert.deepEqual(gatewayDependencies[dependency], { condition: 'service_healthy' }, dependency);
    }
  });

  it('when parsed, then it runs PostgreSQL 18, fauxqs by default and LocalStack only under its profile, with its token', () => {
    assert.match(service('postgres').image ?? '', /^postgres:18(\b|$)/);
    const fauxqsVersion = (
      JSON.parse(readFileSync(join(repoRoot, 'node_modules/fauxqs/package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
    assert.equal(service('fauxqs').image, `kibertoad/fauxqs:${fauxqsVersion}`, 'the fauxqs the tests run');
    assert.deepEqual(service('fauxqs').ports, ['127.0.0.1:4566:4566']);
    assert.equal(service('fauxqs').profiles, undefined);
    assert.match(environmentOf('setup').AWS_ENDPOINT_URL ?? '', /^http:\/\/fauxqs:4566$/);
    assert.match(composeText, /AWS_ENDPOINT_URL: \$\{HARU_AWS_ENDPOINT_URL:-http:\/\/fauxqs:4566\}/);
    const localstack = service('localstack');
    assert.match(localstack.image ?? '', /^localstack\/localstack/);
    assert.deepEqual(localstack.profiles, ['localstack']);
    assert.ok('LOCALSTACK_AUTH_TOKEN' in (localstack.environment ?? {}), 'the LocalStack image requires an auth token');
    for (const name of Object.keys(compose.services).filter((candidate) => candidate !== 'localstack')) {
      assert.equal(service(name).profiles, undefined, `${name} runs without a profile`);
    }
  });

  it('when parsed, then the setup job and the local parts run their entry points with what they read', () => {
    assert.deepEqual(service('setup').command, ['node', 'shared/dev-stack/src/setup-stack.ts']);
    assert.deepEqual(service('setup').build, { context: '.', target: 'runtime' });
    for (const [name, port] of [
      ['auth-emulator', 9099],
      ['fcm-endpoint', 4010],
    ] as const) {
      assert.deepEqual(service(name).command, ['node', 'shared/dev-stack/src/serve-part.ts', name]);
      assert.deepEqual(service(name).build, { context: '.', target: 'local-parts' });
      assert.equal(environmentOf(name).PORT, String(port));
      assert.deepEqual(service(name).ports, [`127.0.0.1:${port}:${port}`]);
    }
    assert.equal(environmentOf('auth-emulator').FIREBASE_PROJECT_ID, composeParts.firebaseProjectId);
  });
});

describe('the Dockerfile', () => {
  it('when read, then every stage starts from node:24-slim and the images run as a non-root user', () => {
    assert.match(dockerfile, /^ARG NODE_IMAGE=node:24-slim$/m);
    const stages = [...dockerfile.matchAll(/^FROM (\S+) AS (\S+)$/gm)].map(([, from, stage]) => ({ from, stage }));
    assert.deepEqual(
      stages.map(({ stage }) => stage).sort(),
      ['local-parts', 'local-parts-dependencies', 'manifests', 'runtime', 'service-dependencies'].sort(),
    );
    for (const { from } of stages) assert.match(from ?? '', /^\$\{NODE_IMAGE\}$/);
    assert.equal(stages.at(-1)?.stage, 'runtime', 'the default target is the services’ image');
    for (const target of ['runtime', 'local-parts']) {
      const body = dockerfile.split(/^FROM /m).find((stage) => stage.includes(`AS ${target}\n`)) ?? '';
      assert.match(body, /^USER node$/m, `${target} runs as node`);
    }
  });

  it('when read, then the services’ image installs only production dependencies of the service workspaces', () => {
    // Instructions with their continuation lines joined.
    const instructions = dockerfile.replace(/\\\n\s*/g, ' ').split('\n');
    const install = instructions.find((line) => line.startsWith('RUN npm ci --omit=dev') && line.includes('services/'));
    assert.ok(install, 'npm ci --omit=dev for the services');
    const workspaces = [...install.matchAll(/--workspace=(\S+)/g)].map(([, workspace]) => workspace);
    assert.deepEqual(workspaces.sort(), serviceNames.map((name) => `services/${name}`).sort());
  });
});

describe('the compose entry points', () => {
  it('when the setup job’s command runs on an empty database and SNS/SQS, then the topology exists and every schema is migrated', async () => {
    const databaseUrl = await createTestDatabase();
    const prefix = uniqueTopologyPrefix();
    const awsEndpointUrl = process.env.AWS_ENDPOINT_URL;
    assert.ok(awsEndpointUrl, 'run with the test stack (global setup)');
    const [command, ...args] = service('setup').command ?? [];
    assert.ok(command);

    const setup = spawn(command === 'node' ? process.execPath : command, args, {
      cwd: repoRoot,
      env: {
        ...process.env,
        ...environmentOf('setup'),
        DATABASE_URL: databaseUrl,
        AWS_ENDPOINT_URL: awsEndpointUrl,
        HARU_TOPOLOGY_PREFIX: prefix,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = collect(setup);
    const [code] = (await once(setup, 'exit')) as [number | null];
    assert.equal(code, 0, output());

    const clients = createAwsClients({ AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: awsEndpointUrl });
    for (const consumer of consumerNames) await locateQueues(clients, prefix, consumer);
    const database = createDatabase({ url: databaseUrl, schema: 'public', poolSize: 1 });
    try {
      for (const name of serviceNames.filter((candidate) => services[candidate].database)) {
        const { rows } = await sql<{ count: string }>`
          select count(*) from ${sql.id(name, 'kysely_migration')}`.execute(database.db);
        assert.ok(Number(rows[0]?.count) > 0, `${name} is migrated`);
      }
    } finally {
      await database.close();
    }
  });

  for (const part of ['fcm-endpoint', 'auth-emulator'] as const) {
    it(`when the ${part}’s command runs, then it serves its health route and stops on SIGTERM`, async () => {
      const port = await freePort();
      const [command, ...args] = service(part).command ?? [];
      assert.ok(command);
      const child = spawn(command === 'node' ? process.execPath : command, args, {
        cwd: repoRoot,
        env: { ...process.env, ...environmentOf(part), PORT: String(port), FIREBASE_AUTH_EMULATOR_HOST: undefined },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const output = collect(child);
      const exited = once(child, 'exit');
      try {
        const path = part === 'fcm-endpoint' ? '/healthz' : '/';
        await eventually(async () => (await fetch(`http://127.0.0.1:${port}${path}`)).ok, {
          timeoutMs: 60_000,
          message: `${part} answering on ${port}`,
        });
      } catch (error) {
        child.kill('SIGKILL');
        throw new Error(`${String(error)}\n${output()}`);
      }
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      assert.equal(code, 0, output());
    });
  }
});

function collect(child: ChildProcess): () => string {
  const chunks: string[] = [];
  child.stdout?.on('data', (chunk) => chunks.push(String(chunk)));
  child.stderr?.on('data', (chunk) => chunks.push(String(chunk)));
  return () => chunks.join('');
}
