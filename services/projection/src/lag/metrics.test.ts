import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { PublishCommand } from '@aws-sdk/client-sns';
import { createEvent } from '@haru/contracts';
import { serviceTokenHeader } from '@haru/http';
import { eventually, serviceTestEnvironment } from '@haru/testing';
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

const metrics = async (token: string | null = environment.internalApiToken) =>
  fetch(`${service.url}/internal/metrics`, { headers: token ? { [serviceTokenHeader]: token } : {} });

/** The value of a sample in Prometheus' text format, or undefined when it is absent. */
const sample = (text: string, name: string): number | undefined => {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
};

const age = 'haru_projection_newest_applied_event_age_seconds';
const applied = 'haru_projection_events_applied_total';

describe('lag', () => {
  test('when metrics are asked for without the service credential, then they are refused', async () => {
    assert.equal((await metrics(null)).status, 401);
  });

  test('when events have been applied, then the age of the newest one is exposed as a gauge', async () => {
    const before = await (await metrics()).text();
    assert.match(before, new RegExp(`# TYPE ${age} gauge`));
    assert.equal(sample(before, age), undefined, 'no age before the first event');
    assert.equal(sample(before, applied), 0);

    // Two events that happened 90 and 600 seconds ago: the newest counts.
    const familyId = randomUUID();
    for (const secondsAgo of [600, 90]) {
      const event = createEvent(
        'MemberLeft',
        familyId,
        { memberId: randomUUID() },
        { occurredAt: new Date(Date.now() - secondsAgo * 1000), correlationId: 'lag', causationId: null },
      );
      await environment.clients.sns.send(
        new PublishCommand({
          TopicArn: environment.topology.topicArn,
          Message: JSON.stringify(event),
          MessageAttributes: { type: { DataType: 'String', StringValue: event.type } },
        }),
      );
    }
    const text = await eventually(async () => {
      const response = await metrics();
      assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
      const body = await response.text();
      return sample(body, applied) === 2 ? body : undefined;
    });
    const seconds = sample(text, age) ?? Number.NaN;
    assert.ok(seconds >= 90 && seconds < 90 + 60, `age ${seconds}`);
  });
});
