// Hostile input against the real stack (every service its own process) over real HTTP:
// property-based requests to every route of the gateway and of every service's internal
// API — random and malformed bodies, headers, credentials, path segments and methods.
// No response may be a 5xx, every 4xx is an RFC 9457 problem, nothing reveals internals,
// and requests that must be refused change nothing in any service's tables.
// HARU_FUZZ_REQUESTS sets how many requests (`npm run test:fuzz` sends 10,000);
// HARU_FUZZ_SEED replays a failing run with the seed its failure printed.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { type ServiceName, serviceNames } from '@haru/dev-stack';
import { serviceTokenHeader } from '@haru/http';
import { createLogger, createMetrics } from '@haru/observability';
import {
  fcmMessages,
  isQueueIdle,
  signInTestUser,
  startTestStack,
  type TestStack,
  type TestUser,
  wallClockIn,
} from '@haru/testing';
import fc from 'fast-check';
import type { Auth } from 'firebase-admin/auth';
import pg from 'pg';
import { buildApp } from '../../src/app.ts';
import { badClaims, craftIdToken } from '../support/craft-id-token.ts';
import { openQuestion } from '../support/open-question.ts';
import {
  anything,
  brokenHttp,
  type Expectation,
  type FuzzTargets,
  type HostileRequest,
  readsAndStrayRequests,
  refusedWrites,
  unauthenticated,
} from './hostile-requests.ts';
import { send, sendRaw, type WireRequest, type WireResponse } from './http-exchange.ts';
import { responseViolations } from './response-checks.ts';
import { type FuzzFixture, gatewayRoutes, internalRoutes, metricsRoutes } from './routes.ts';
import { changedTables, type StackState, watchStackState } from './stack-state.ts';

const requests = Number(process.env.HARU_FUZZ_REQUESTS ?? 2000);
const seed = process.env.HARU_FUZZ_SEED === undefined ? undefined : Number(process.env.HARU_FUZZ_SEED);
const maxBodyBytes = 16 * 1024;

let stack: TestStack;
let state: StackState;
let targets: FuzzTargets;
let fixture: FuzzFixture;
let parent: TestUser;

async function gatewayCall(method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${stack.url('gateway')}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${await response.clone().text()}`);
  return response.status === 204 ? undefined : ((await response.json()) as Record<string, string>);
}

before(async () => {
  stack = await startTestStack({
    environment: (name) =>
      name === 'gateway'
        ? { RATE_LIMIT_PER_MINUTE: '1000000000', MAX_BODY_BYTES: String(maxBodyBytes) }
        : // A push's report leaves the outbox at once: the stack is settled only with the outboxes empty.
          name === 'notifier'
          ? { NOTIFIER_REPORT_SPREAD_MS: '0' }
          : {},
  });
  let child: TestUser;
  let outsider: TestUser;
  [parent, child, outsider] = await Promise.all([signInTestUser(), signInTestUser(), signInTestUser()]);
  // Its push time is half a day away, so that no question falls due while requests run.
  const pushTime = wallClockIn('UTC', 12 * 3_600_000);
  const created = await gatewayCall('POST', '/v1/families', parent.idToken, {
    name: 'Fuzz',
    timezone: 'UTC',
    pushTime,
    member: { role: 'parent', displayName: 'Mom' },
  });
  const familyId = created?.familyId ?? '';
  const inviteCode = created?.inviteCode ?? '';
  await gatewayCall('POST', '/v1/families/join', child.idToken, {
    inviteCode,
    member: { role: 'child', displayName: 'Jun' },
  });
  // A child who never calls: the parent is always the last parent of a child, so nothing
  // the fuzz sends can make them leave (409), and the family keeps answering them.
  await gatewayCall('POST', '/v1/families/join', (await signInTestUser()).idToken, {
    inviteCode,
    member: { displayName: 'Min' },
  });
  const deviceToken = `fixture-${randomUUID()}`;
  await gatewayCall('PUT', `/v1/me/devices/${deviceToken}`, parent.idToken, { platform: 'android' });
  const questionId = await openQuestion(stack, familyId, '2026-11-25', parent);
  fixture = { familyId, inviteCode, questionId, deviceToken, memberUid: parent.uid };
  targets = {
    fixture,
    urls: Object.fromEntries(serviceNames.map((name) => [name, stack.url(name)])) as FuzzTargets['urls'],
    validTokens: [parent.idToken, child.idToken, outsider.idToken],
    invalidTokens: [
      'not-a-jwt',
      `${parent.idToken.split('.').slice(0, 2).join('.')}.forged`,
      ...Object.values(badClaims).map((change) => craftIdToken(parent.idToken, change)),
    ],
    internalApiToken: stack.parts.internalApiToken,
    maxBodyBytes,
  };
  state = await watchStackState(stack);
  await state.settled();
});

after(async () => {
  await state?.close();
  await stack?.stop();
});

const describeRequest = ({ method, path, headers, body }: WireRequest) =>
  `${method} ${path.slice(0, 300)}\n  headers ${JSON.stringify(headers).slice(0, 600)}\n  body ${body?.toString('utf8').slice(0, 300) ?? '(none)'}`;

const meets = (expectation: Expectation, status: number): boolean =>
  expectation === 'any'
    ? true
    : expectation === 'refused'
      ? status >= 400 && status < 500
      : expectation.statuses.includes(status);

/** Sends one hostile request and fails, saying why, unless its response is as it must be. */
async function exchange({ kind, request, expect }: HostileRequest): Promise<WireResponse> {
  const response = await send(request).catch((error: Error) => {
    throw new Error(`${kind}: ${error.message}\n${describeRequest(request)}`, { cause: error });
  });
  const violations = responseViolations({
    method: request.method,
    requestText: `${request.path}\n${JSON.stringify(request.headers)}\n${request.body?.toString('latin1') ?? ''}`,
    response,
    secrets: [stack.parts.internalApiToken],
  });
  if (!meets(expect, response.status))
    violations.unshift(`status ${response.status}, expected ${JSON.stringify(expect)}`);
  if (violations.length > 0) {
    throw new Error(
      `${kind}: ${violations.join('; ')}\n${describeRequest(request)}\n  answered ${response.status} ${JSON.stringify(response.headers)}\n  ${response.body.slice(0, 500)}`,
    );
  }
  return response;
}

/**
 * A property's predicate that sends nothing more once node:test has given up on its test (its
 * timeout aborts the test's signal): fast-check would otherwise go on sending beside the next
 * test's requests, and a failure of either would be hard to read.
 */
const untilAborted =
  <Values extends unknown[]>(signal: AbortSignal, predicate: (...values: Values) => Promise<void>) =>
  async (...values: Values) => {
    signal.throwIfAborted();
    await predicate(...values);
  };

const runs = (share: number) => ({
  numRuns: Math.max(1, Math.round(requests * share)),
  ...(seed === undefined ? {} : { seed }),
});

describe('hostile input', () => {
  test('when the gateway declares its routes, then the fuzz and the OpenAPI document cover each one', async () => {
    const app = buildApp({
      auth: {} as Auth,
      services: { answer: fetch, projection: fetch, notifier: fetch } as never,
      logger: createLogger('gateway', 'silent'),
      metrics: createMetrics('gateway'),
      internalApiToken: 'not-used-when-listing-routes',
      maxBodyBytes,
      rateLimitPerMinute: 1,
      ready: async () => true,
    });
    const declared = app.routes
      .filter((route) => route.method !== 'ALL')
      .map((route) => `${route.method} ${route.path}`)
      .sort();
    const fuzzed = gatewayRoutes.map((route) => `${route.method} ${route.path}`).sort();
    assert.deepEqual([...new Set(declared)], fuzzed);
    const document = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, object> };
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    const appRoutes = fuzzed.filter((route) => route.includes(' /v1/'));
    assert.deepEqual(documented.sort(), appRoutes);
  });

  test('when any internal route or /metrics is called without or with a wrong credential, then it answers 401 problem', async () => {
    const token = stack.parts.internalApiToken;
    const credentials: Array<[string, string | undefined]> = [
      ['no credential', undefined],
      ['an empty credential', ''],
      ['a wrong credential', randomUUID()],
      ['a credential one character off', `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`],
      ['the credential cut short', token.slice(0, -1)],
      ['the credential with more after it', `${token}0`],
      ['the credential as a bearer token', `Bearer ${token}`],
    ];
    const wrong: string[] = [];
    for (const route of [...internalRoutes, ...metricsRoutes]) {
      const path = route.path.replace(/:(\w+)/g, (_, name: 'familyId' | 'questionId' | 'token') =>
        encodeURIComponent(route.realValue?.[name]?.(fixture) ?? name),
      );
      const call = (credential: string | undefined) =>
        send({
          baseUrl: stack.url(route.service),
          method: route.method,
          path: route.method === 'DELETE' ? `${path}?uid=${fixture.memberUid}` : path,
          headers: {
            'x-haru-uid': fixture.memberUid,
            ...(credential === undefined ? {} : { [serviceTokenHeader]: credential }),
            ...(route.body ? { 'content-type': 'application/json' } : {}),
          },
          body: route.body ? Buffer.from('{}') : undefined,
        });
      for (const [what, credential] of credentials) {
        const response = await call(credential);
        const problem = response.body ? (JSON.parse(response.body) as { status?: number }) : {};
        if (
          response.status !== 401 ||
          response.headers['content-type'] !== 'application/problem+json' ||
          problem.status !== 401
        )
          wrong.push(
            `${route.service} ${route.method} ${route.path} with ${what}: ${response.status} ${response.body}`,
          );
      }
      // The route is there: with the credential the same call gets past the guard.
      const allowed = await call(token);
      if (allowed.status === 401) wrong.push(`${route.service} ${route.method} ${route.path} refuses the credential`);
    }
    assert.deepEqual(wrong, []);
  });

  test('when requests lack a valid credential, write what cannot be written, read, or stray, then each is answered as it must be and nothing changes', async (t) => {
    // The FCM endpoint is shared by the run's test files: count only pushes to this stack's devices.
    const pushesToStack = async () => {
      const tokens = await state.deviceTokens();
      return (await fcmMessages()).filter((received) => tokens.has(received.message.token ?? '')).length;
    };
    const deliveredBefore = await pushesToStack();
    let before = await state.snapshot();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { weight: 3, arbitrary: unauthenticated(targets) },
          { weight: 3, arbitrary: refusedWrites(targets) },
          { weight: 3, arbitrary: readsAndStrayRequests(targets) },
        ),
        untilAborted(t.signal, async (hostile: HostileRequest) => {
          await exchange(hostile);
          const now = await state.snapshot();
          const changed = changedTables(before, now);
          before = now;
          if (changed.length > 0) {
            throw new Error(`${hostile.kind} changed ${changed.join(', ')}\n${describeRequest(hostile.request)}`);
          }
        }),
      ),
      // A change of state would be seen by every later run: the first failure is the one to read.
      { ...runs(0.5), endOnFailure: true },
    );
    assert.equal(await pushesToStack(), deliveredBefore, 'no push was sent');
  });

  test('when a client sends bytes that are not HTTP, then each server answers 4xx problem or closes the connection', async (t) => {
    await fc.assert(
      fc.asyncProperty(
        brokenHttp,
        fc.constantFrom(...serviceNames),
        untilAborted(t.signal, async ({ kind, bytes }: { kind: string; bytes: Buffer }, service: ServiceName) => {
          const response = await sendRaw(stack.url(service), bytes);
          if (!response) return;
          const violations = responseViolations({
            method: 'GET',
            requestText: bytes.toString('latin1'),
            response,
            secrets: [],
          });
          if (response.status < 400 || response.status >= 500) violations.unshift(`status ${response.status}`);
          assert.deepEqual(
            violations,
            [],
            `${service}: ${kind} answered ${response.status} ${response.body.slice(0, 300)}`,
          );
        }),
      ),
      runs(0.05),
    );
  });

  test('when anything at all arrives, then nothing fails or reveals internals, and every accepted change reaches every service', async (t) => {
    await fc.assert(
      fc.asyncProperty(
        anything(targets),
        untilAborted(t.signal, async (hostile: HostileRequest) => {
          await exchange(hostile);
        }),
      ),
      runs(0.45),
    );
    await state.settled();
    const deadLettered: string[] = [];
    for (const [consumer, { deadLetterQueueUrl }] of Object.entries(stack.topology.queues)) {
      if (await isQueueIdle(stack.aws.sqs, deadLetterQueueUrl)) continue;
      const { Messages = [] } = await stack.aws.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: deadLetterQueueUrl,
          MaxNumberOfMessages: 10,
          MessageAttributeNames: ['All'],
        }),
      );
      deadLettered.push(
        ...Messages.map(
          (message) => `${consumer}: ${message.MessageAttributes?.reason?.StringValue} ${message.Body?.slice(0, 600)}`,
        ),
        ...(Messages.length === 0 ? [`${consumer}: its dead-letter queue is not empty`] : []),
      );
    }
    assert.deepEqual(deadLettered, [], 'no accepted change was dead-lettered');
    const client = new pg.Client({ connectionString: stack.parts.databaseUrl });
    await client.connect();
    try {
      const count = async (sql: string) => Number((await client.query<{ count: string }>(sql)).rows[0]?.count);
      assert.equal(
        await count(`select count(*) from answer.events where type = 'FamilyCreated'`),
        await count('select count(*) from scheduler.family_schedule'),
        'every family created has a schedule',
      );
      assert.equal(
        await count(`select count(*) from answer.events where type = 'AnswerSubmitted'`),
        await count('select count(*) from projection.answers'),
        'every answer accepted is in the projection',
      );
    } finally {
      await client.end();
    }
    // The fixture's family still answers its members.
    const family = await fetch(`${stack.url('gateway')}/v1/families/${fixture.familyId}`, {
      headers: { authorization: `Bearer ${parent.idToken}` },
    });
    assert.equal(family.status, 200);
  });
});
