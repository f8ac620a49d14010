import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { correlationIdHeader } from '@haru/contracts';
import { HaruError } from '@haru/errors';
import { createLogger, createMetrics } from '@haru/observability';
import { observedApp } from './observed-app.ts';
import { problemHandler } from './problem.ts';
import { serviceTokenHeader } from './require-service-token.ts';

const internalApiToken = 'observed-app-test-token-0123456789';

/** An app as a service builds one, with its log lines kept. */
function testApp() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger('test-service', 'debug', {
    write: (line: string) => {
      lines.push(JSON.parse(line));
    },
  });
  const metrics = createMetrics('test-service');
  const app = observedApp({ logger, metrics, internalApiToken })
    .get('/families/:familyId', (c) => c.json({ familyId: c.req.param('familyId') }))
    .get('/refused', () => {
      throw new HaruError('forbidden', 'not for you');
    });
  app.onError(problemHandler(logger));
  /** The request counts, as Prometheus reads them. */
  const requestCounts = async () =>
    (await metrics.metrics())
      .split('\n')
      .filter((line) => line.startsWith('haru_http_request_duration_seconds_count'))
      .sort();
  return { app, lines, requestCounts };
}

describe('/metrics', () => {
  test('when asked without the service credential, or with a wrong one, then 401 and no metrics', async () => {
    const { app } = testApp();
    for (const headers of [
      {},
      { [serviceTokenHeader]: `${internalApiToken}x` },
      { authorization: `Bearer ${internalApiToken}x` },
      { authorization: internalApiToken },
    ]) {
      const response = await app.request('/metrics', { headers });
      assert.equal(response.status, 401, JSON.stringify(headers));
      assert.equal(response.headers.get('content-type'), 'application/problem+json');
      assert.doesNotMatch(await response.text(), /haru_/);
    }
  });

  test('when asked with the credential as the service header or as a bearer token, then Prometheus text with the service label', async () => {
    const { app } = testApp();
    for (const headers of [
      { [serviceTokenHeader]: internalApiToken },
      { authorization: `Bearer ${internalApiToken}` },
    ]) {
      const response = await app.request('/metrics', { headers });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
      const text = await response.text();
      assert.match(text, /^# TYPE haru_process_cpu_user_seconds_total counter$/m);
      assert.match(text, /^haru_process_resident_memory_bytes\{service="test-service"\} \d+/m);
    }
  });
});

describe('requests', () => {
  test('when requests are served, then their durations are counted by route pattern and status, never by raw path', async () => {
    const { app, requestCounts } = testApp();
    await app.request('/families/0193f5a0-0000-7000-8000-000000000001');
    await app.request('/families/0193f5a0-0000-7000-8000-000000000002');
    await app.request('/refused');
    await app.request('/no/such/path/0193f5a0');
    assert.deepEqual(await requestCounts(), [
      'haru_http_request_duration_seconds_count{service="test-service",method="GET",route="/families/:familyId",status="200"} 2',
      'haru_http_request_duration_seconds_count{service="test-service",method="GET",route="/refused",status="403"} 1',
      'haru_http_request_duration_seconds_count{service="test-service",method="GET",route="unmatched",status="404"} 1',
    ]);
  });

  test('when a request presents a correlation id, then it is kept, echoed and logged; a malformed one is replaced', async () => {
    const { app, lines } = testApp();
    const kept = await app.request('/families/f-1', { headers: { [correlationIdHeader]: 'app-request-42' } });
    assert.equal(kept.headers.get(correlationIdHeader), 'app-request-42');
    const replaced = await app.request('/families/f-2', {
      headers: { [correlationIdHeader]: 'spaces are not allowed' },
    });
    const assigned = replaced.headers.get(correlationIdHeader) ?? '';
    assert.match(assigned, /^[0-9a-f-]{36}$/);

    const requests = lines.filter((line) => line.msg === 'request');
    assert.deepEqual(
      requests.map(({ level, route, status, correlationId }) => ({ level, route, status, correlationId })),
      [
        { level: 'info', route: '/families/:familyId', status: 200, correlationId: 'app-request-42' },
        { level: 'info', route: '/families/:familyId', status: 200, correlationId: assigned },
      ],
    );
    assert.ok(requests.every((line) => typeof line.durationMs === 'number' && line.service === 'test-service'));
  });

  test('when /metrics or a health check is polled, then its log line is at debug, not info', async () => {
    const { app, lines } = testApp();
    await app.request('/metrics', { headers: { [serviceTokenHeader]: internalApiToken } });
    assert.deepEqual(
      lines.filter((line) => line.msg === 'request').map(({ level, route }) => ({ level, route })),
      [{ level: 'debug', route: '/metrics' }],
    );
  });
});
