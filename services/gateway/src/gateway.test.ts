import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { serviceEnvironment } from '@haru/dev-stack';
import {
  documentedFetch,
  metricSample,
  servedDocument,
  signInTestUser,
  startTestStack,
  type TestStack,
  type TestUser,
} from '@haru/testing';
import { send } from '../test/hostile-input/http-exchange.ts';
import { loadServiceConfig } from './config.ts';
import { startService } from './service.ts';

// The answer service runs as its own process, as in production: services never import each other.
let answer: TestStack;
let gateway: Awaited<ReturnType<typeof startService>>;
let parent: TestUser;
let child: TestUser;
let stranger: TestUser;
/** `fetch`, checking every response of the app API against the gateway's OpenAPI document. */
let documented: typeof fetch;

before(async () => {
  answer = await startTestStack({ only: ['answer'] });
  gateway = await startService(
    loadServiceConfig({
      ...process.env,
      ...serviceEnvironment('gateway', answer.parts),
      PORT: '0',
      ANSWER_URL: answer.url('answer'),
      // Not started here: the routes under test only need the answer service.
      PROJECTION_URL: 'http://127.0.0.1:9',
      NOTIFIER_URL: 'http://127.0.0.1:9',
      SCHEDULER_URL: 'http://127.0.0.1:9',
      MAX_BODY_BYTES: '2048',
      RATE_LIMIT_PER_MINUTE: '40',
    }),
  );
  [parent, child, stranger] = await Promise.all([signInTestUser(), signInTestUser(), signInTestUser()]);
  documented = documentedFetch(await servedDocument(gateway.url));
});
after(async () => {
  await gateway.stop();
  await answer.stop();
});

const request = async (path: string, init: RequestInit & { token?: string; json?: unknown } = {}) => {
  const { token, json, ...rest } = init;
  // The app API's responses are checked against its document; /metrics and no route are in none.
  const fetcher = path.startsWith('/v1/') ? documented : fetch;
  const response = await fetcher(`${gateway.url}${path}`, {
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

  test('when a parent sets the reminder offset, then the family shows it; a new family has the default, and an offset out of range is refused and changes nothing', async () => {
    const created = await request('/v1/families', { method: 'POST', token: parent.idToken, json: newFamily });
    const familyPath = `/v1/families/${created.body.familyId}`;
    const offset = async () => (await request(familyPath, { token: parent.idToken })).body.reminderOffsetMinutes;
    assert.equal(await offset(), 180);
    const schedule = { pushTime: '19:00', timezone: 'America/New_York', quietHours: null };
    const put = (reminderOffsetMinutes: unknown) =>
      request(`${familyPath}/schedule`, {
        method: 'PUT',
        token: parent.idToken,
        json: { ...schedule, reminderOffsetMinutes },
      });

    const changed = await put(90);

    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.equal(changed.body.reminderOffsetMinutes, 90);
    assert.equal(await offset(), 90);
    for (const wrong of [14, 721, 90.5, '90']) {
      const refused = await put(wrong);
      assert.equal(refused.status, 400, String(wrong));
      assert.match(JSON.stringify(refused.body.errors), /reminderOffsetMinutes/);
    }
    assert.equal(await offset(), 90);
    // Left out, like quiet hours, it is the default again: the schedule is stated whole.
    assert.equal(
      (await request(`${familyPath}/schedule`, { method: 'PUT', token: parent.idToken, json: schedule })).status,
      200,
    );
    assert.equal(await offset(), 180);
  });

  test('when the body is not acceptable, then a specific 4xx problem', async () => {
    const post = (init: RequestInit & { json?: unknown }) =>
      request('/v1/families', { method: 'POST', token: parent.idToken, ...init });
    const unknownField = await post({ json: { ...newFamily, admin: true } });
    assert.equal(unknownField.status, 400);
    assert.match(JSON.stringify(unknownField.body.errors), /admin/);
    const malformed = await post({ body: '{"name":', headers: { 'content-type': 'application/json' } });
    assert.equal(malformed.status, 400);
    assert.match(malformed.body.detail, /JSON/);
    assert.equal((await post({ body: 'name=x', headers: { 'content-type': 'text/plain' } })).status, 415);
    assert.equal((await post({ json: { ...newFamily, name: 'x'.repeat(5000) } })).status, 413);
    // Without a Content-Length the body is counted as it arrives.
    const chunked = (body: string) =>
      send({
        baseUrl: gateway.url,
        method: 'POST',
        path: '/v1/families',
        headers: { authorization: `Bearer ${parent.idToken}`, 'content-type': 'application/json' },
        body: Buffer.from(body),
        chunked: true,
      });
    assert.equal((await chunked(JSON.stringify({ ...newFamily, name: 'x'.repeat(5000) }))).status, 413);
    assert.equal((await chunked(JSON.stringify(newFamily))).status, 201);
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
    const { $ref } = document.body.paths['/v1/families'].post.requestBody.content['application/json'].schema;
    assert.equal($ref, '#/components/schemas/CreateFamilyInput');
    const schema = document.body.components.schemas.CreateFamilyInput;
    assert.deepEqual(schema.required.sort(), ['member', 'name', 'pushTime', 'timezone']);
  });

  test('when /docs is opened, then it is the rendered reference of /openapi.json', async () => {
    const response = await fetch(`${gateway.url}/docs`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    const page = await response.text();
    assert.match(page, /<title>haru app API<\/title>/);
    assert.match(page, /\/openapi\.json/);
  });

  test('when an unknown route is called, then 404 problem', async () => {
    const response = await request('/v2/anything', { token: parent.idToken });
    assert.equal(response.status, 404);
    assert.equal(response.type, 'application/problem+json');
  });

  test('when POST /v1/families is retried with the same Idempotency-Key, then the same family; with another body, 422', async () => {
    const user = await signInTestUser();
    const post = (json: unknown, key: string) =>
      request('/v1/families', { method: 'POST', token: user.idToken, json, headers: { 'idempotency-key': key } });
    const first = await post(newFamily, 'create-1');
    const again = await post(newFamily, 'create-1');
    assert.equal(first.status, 201);
    assert.equal(again.status, 201);
    assert.deepEqual(again.body, first.body);
    const other = await post({ ...newFamily, name: 'Other' }, 'create-1');
    assert.equal(other.status, 422);
    const fresh = await post(newFamily, 'create-2');
    assert.notEqual(fresh.body.familyId, first.body.familyId, 'a new key is a new family');
    // Concurrent retries of one request create one family.
    const racing = await Promise.all([
      post(newFamily, 'create-3'),
      post(newFamily, 'create-3'),
      post(newFamily, 'create-3'),
    ]);
    assert.equal(new Set(racing.map((response) => response.body.familyId)).size, 1);
  });

  test("when /metrics is asked for without the service credential, even with an app user's token, then 401", async () => {
    for (const token of [undefined, parent.idToken]) {
      const response = await request('/metrics', { token });
      assert.equal(response.status, 401);
      assert.equal(response.type, 'application/problem+json');
    }
  });

  test('when /metrics is scraped with the service credential, then request durations are there by route pattern, without ids', async () => {
    const familyId = crypto.randomUUID();
    assert.equal((await request(`/v1/families/${familyId}`, { token: stranger.idToken })).status, 404);
    const response = await fetch(`${gateway.url}/metrics`, {
      headers: { authorization: `Bearer ${answer.parts.internalApiToken}` },
    });
    assert.equal(response.status, 200);
    const text = await response.text();
    const labels = { service: 'gateway', method: 'GET', route: '/v1/families/:familyId', status: '404' };
    assert.ok((metricSample(text, 'haru_http_request_duration_seconds_count', labels) ?? 0) >= 1, text);
    assert.doesNotMatch(text, new RegExp(familyId));
  });

  test('when a member exceeds the rate limit, then 429 with Retry-After, and other members are unaffected', async () => {
    const busy = await signInTestUser();
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let attempt = 0; attempt < 41 && !limited; attempt++) {
      const response = await documented(`${gateway.url}/v1/families/${crypto.randomUUID()}`, {
        headers: { authorization: `Bearer ${busy.idToken}` },
      });
      statuses.push(response.status);
      if (response.status === 429) limited = response;
    }
    assert.ok(limited, `no 429 after ${statuses.length} requests`);
    assert.equal(statuses.length, 41, 'the first 40 requests of the minute pass');
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
    assert.equal(limited.headers.get('content-type'), 'application/problem+json');
    const calm = await request(`/v1/families/${crypto.randomUUID()}`, { token: stranger.idToken });
    assert.equal(calm.status, 404);
  });
});
