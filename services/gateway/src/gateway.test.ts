import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchService, runMigrations, type ServiceProcess, serviceEnvironment, waitUntilReady } from '@haru/dev-stack';
import { applyTopology, createAwsClients } from '@haru/messaging';
import { signInTestUser, type TestUser, testStackParts } from '@haru/testing';
import { loadServiceConfig } from './config.ts';
import { startService } from './service.ts';

// The answer service runs as its own process, as in production: services never import each other.
let answer: ServiceProcess;
let gateway: Awaited<ReturnType<typeof startService>>;
let parent: TestUser;
let child: TestUser;
let stranger: TestUser;

before(async () => {
  const parts = await testStackParts();
  await applyTopology(
    createAwsClients({ AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: parts.awsEndpointUrl }),
    parts.topologyPrefix ?? '',
  );
  const quiet = { output: () => {} };
  await runMigrations('answer', serviceEnvironment('answer', parts), quiet);
  answer = launchService('answer', serviceEnvironment('answer', parts), quiet);
  await waitUntilReady(answer, { timeoutMs: 30_000 });
  gateway = await startService(
    loadServiceConfig({
      ...process.env,
      ...serviceEnvironment('gateway', parts),
      PORT: '0',
      ANSWER_URL: answer.url,
      // Not started here: the routes under test only need the answer service.
      PROJECTION_URL: 'http://127.0.0.1:9',
      NOTIFIER_URL: 'http://127.0.0.1:9',
      SCHEDULER_URL: 'http://127.0.0.1:9',
      MAX_BODY_BYTES: '2048',
    }),
  );
  [parent, child, stranger] = await Promise.all([signInTestUser(), signInTestUser(), signInTestUser()]);
});
after(async () => {
  await gateway.stop();
  await answer.stop();
});

const request = async (path: string, init: RequestInit & { token?: string; json?: unknown } = {}) => {
  const { token, json, ...rest } = init;
  const response = await fetch(`${gateway.url}${path}`, {
    ...rest,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(json === undefined ? {} : { 'content-type': 'application/json' }),
      ...(rest.headers as Record<string, string>),
    },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
    body: (text ? JSON.parse(text) : undefined) as any,
  };
};

const newFamily = {
  name: 'Lees',
  timezone: 'America/New_York',
  pushTime: '19:00',
  member: { role: 'parent', displayName: 'Mom', locale: 'en' },
};

describe('gateway', () => {
  test('when no token, a malformed token or a forged token is sent, then 401 problem and nothing is created', async () => {
    const forged = `${parent.idToken.split('.').slice(0, 2).join('.')}.forged`;
    for (const token of [undefined, 'not-a-jwt', forged]) {
      const response = await request('/v1/families', { method: 'POST', token, json: newFamily });
      assert.equal(response.status, 401, String(token));
      assert.equal(response.type, 'application/problem+json');
      assert.equal(response.body.status, 401);
    }
  });

  test('when a parent creates a family and a child joins, then both see it and a stranger gets 404', async () => {
    const created = await request('/v1/families', { method: 'POST', token: parent.idToken, json: newFamily });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const joined = await request('/v1/families/join', {
      method: 'POST',
      token: child.idToken,
      json: { inviteCode: created.body.inviteCode.toLowerCase(), member: { role: 'child', displayName: 'Ben' } },
    });
    assert.equal(joined.status, 201, JSON.stringify(joined.body));
    const seen = await request(`/v1/families/${created.body.familyId}`, { token: child.idToken });
    assert.equal(seen.status, 200);
    assert.deepEqual(
      seen.body.members.map((member: { displayName: string }) => member.displayName),
      ['Mom', 'Ben'],
    );
    assert.equal((await request(`/v1/families/${created.body.familyId}`, { token: stranger.idToken })).status, 404);
    const childSchedule = await request(`/v1/families/${created.body.familyId}/schedule`, {
      method: 'PUT',
      token: child.idToken,
      json: { pushTime: '08:00', timezone: 'America/New_York', quietHours: null },
    });
    assert.equal(childSchedule.status, 403);
  });

  test('when the body is not acceptable, then a specific 4xx problem', async () => {
    const post = (init: RequestInit & { json?: unknown }) =>
      request('/v1/families', { method: 'POST', token: parent.idToken, ...init });
    const unknownField = await post({ json: { ...newFamily, admin: true } });
    assert.equal(unknownField.status, 400);
    assert.match(JSON.stringify(unknownField.body.errors), /admin/);
    const malformed = await post({ body: '{"name":', headers: { 'content-type': 'application/json' } });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.detail, 'the body is not valid JSON');
    assert.equal((await post({ body: 'name=x', headers: { 'content-type': 'text/plain' } })).status, 415);
    assert.equal((await post({ json: { ...newFamily, name: 'x'.repeat(5000) } })).status, 413);
    assert.equal(
      (await post({ json: { ...newFamily, member: { role: 'grandparent', displayName: 'G' } } })).status,
      400,
    );
    assert.equal(
      (
        await request('/v1/families/join', {
          method: 'POST',
          token: child.idToken,
          json: { inviteCode: 'ZZZZZZZZ', member: { role: 'child', displayName: 'C' } },
        })
      ).status,
      404,
    );
  });

  test('when the API description is requested, then it is OpenAPI 3.1 with the request schemas', async () => {
    const document = await request('/openapi.json');
    assert.equal(document.status, 200);
    assert.equal(document.body.openapi, '3.1.0');
    const schema = document.body.paths['/v1/families'].post.requestBody.content['application/json'].schema;
    assert.deepEqual(schema.required.sort(), ['member', 'name', 'pushTime', 'timezone']);
  });

  test('when an unknown route is called, then 404 problem', async () => {
    const response = await request('/v2/anything', { token: parent.idToken });
    assert.equal(response.status, 404);
    assert.equal(response.type, 'application/problem+json');
  });
});
