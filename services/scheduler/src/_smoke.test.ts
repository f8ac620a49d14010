import assert from 'node:assert/strict';
import { it } from 'node:test';
import { freePort, launchService, runMigrations, serviceEnvironment, waitUntilReady } from '@haru/dev-stack';
import { applyTopology, createAwsClients } from '@haru/messaging';
import { createTestDatabase, uniqueTopologyPrefix } from '@haru/testing';

it('smoke', async () => {
  const prefix = uniqueTopologyPrefix();
  await applyTopology(createAwsClients({ AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL }), prefix);
  const env = serviceEnvironment('scheduler', {
    databaseUrl: await createTestDatabase(), internalApiToken: 'x'.repeat(20), awsEndpointUrl: process.env.AWS_ENDPOINT_URL,
    topologyPrefix: prefix, ports: { scheduler: await freePort() }, logLevel: 'info',
  });
  await runMigrations('scheduler', env);
  await runMigrations('scheduler', env);
  const lines: string[] = [];
  const service = launchService('scheduler', env, { output: (l) => lines.push(l) });
  await waitUntilReady(service);
  const r = await fetch(`${service.url}/internal/families/${crypto.randomUUID()}/schedule`, { headers: { 'x-haru-service-token': 'x'.repeat(20) } });
  assert.equal(r.status, 404);
  await service.stop();
  console.log(lines.join('\n'));
});
