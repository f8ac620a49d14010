import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createEvent } from '@haru/contracts';
import { serviceTokenHeader } from '@haru/http';
import { eventually, metricSample, publishEvent, serviceTestEnvironment } from '@haru/testing';
import { loadServiceConfig } from '../config.ts';
import { schema } from '../database.ts';
import { migrations } from '../migrations/index.ts';
import { startService } from '../service.ts';

let environment: Awaited<ReturnType<typeof serviceTestEnvironment>>;
let service: Awaited<ReturnType<typeof startService>>;

before(async () => {
  environment = await serviceTestEnvironment('projection', { schema, migrations });
  service = await startService(loadServiceConfig(environment.env), { waitTimeSeconds: 1 });
});
after(() => service?.stop());

const metrics = async (headers: Record<string, string> = { [serviceTokenHeader]: environment.internalApiToken }) =>
  fetch(`${service.url}/metrics`, { headers });

const age = 'haru_projection_newest_applied_event_age_seconds';
const applied = 'haru_projection_events_applied_total';

describe('metrics', () => {
  test('when metrics are asked for without the service credential, or with a wrong one, then they are refused', async () => {
    assert.equal((await metrics({})).status, 401);
    assert.equal((await metrics({ [serviceTokenHeader]: `${environment.internalApiToken}x` })).status, 401);
    assert.equal((await metrics({ authorization: 'Bearer not-the-token' })).status, 401);
  });

  test('when the old internal route is asked for, then it is not there any more', async () => {
    const old = await fetch(`${service.url}/internal/metrics`, {
      headers: { [serviceTokenHeader]: environment.internalApiToken },
    });
    assert.equal(old.status, 404);
  });

  test('when events have been applied, then the age of the newest one, the outcomes and the queue lag are exposed', async () => {
    const before = await (await metrics()).text();
    assert.match(before, new RegExp(`# TYPE ${age} gauge`));
    assert.equal(metricSample(before, age), undefined, 'no age before the first event');
    assert.equal(metricSample(before, applied), 0);

    // Two events that happened 90 and 600 seconds ago: the newest counts.
    const familyId = randomUUID();
    for (const secondsAgo of [600, 90]) {
      const event = createEvent(
        'MemberLeft',
        familyId,
        { memberId: randomUUID() },
        { occurredAt: new Date(Date.now() - secondsAgo * 1000), correlationId: 'lag', causationId: null },
      );
      await publishEvent(environment.topic, event);
    }
    // Scraped as Prometheus does: the credential as a bearer token.
    const text = await eventually(async () => {
      const response = await metrics({ authorization: `Bearer ${environment.internalApiToken}` });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
      const body = await response.text();
      return metricSample(body, applied) === 2 ? body : undefined;
    });
    const seconds = metricSample(text, age) ?? Number.NaN;
    assert.ok(seconds >= 90 && seconds < 90 + 60, `age ${seconds}`);
    assert.equal(metricSample(text, applied, { service: 'projection' }), 2, 'every sample names its service');

    const memberLeft = { type: 'MemberLeft' };
    assert.equal(metricSample(text, 'haru_consumer_events_total', { ...memberLeft, outcome: 'handled' }), 2);
    assert.equal(metricSample(text, 'haru_consumer_queue_lag_seconds_count', memberLeft), 2);
    const lagSum = metricSample(text, 'haru_consumer_queue_lag_seconds_sum', memberLeft) ?? Number.NaN;
    assert.ok(lagSum >= 600 + 90, `queue lag is measured from occurredAt: ${lagSum}`);
    assert.ok((metricSample(text, 'haru_process_resident_memory_bytes') ?? 0) > 0, 'process metrics, prefixed');
  });
});
