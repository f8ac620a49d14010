import { it } from 'node:test';
import { createDatabase, migrateToLatest } from '@haru/db';
import { applyTopology, createAwsClients } from '@haru/messaging';
import { createTestDatabase, uniqueTopologyPrefix } from '@haru/testing';
import { loadServiceConfig } from './config.ts';
import { schema } from './database.ts';
import { migrations } from './migrations/index.ts';
import { startService } from './service.ts';

it('smoke', async () => {
  const prefix = uniqueTopologyPrefix();
  await applyTopology(
    createAwsClients({ AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL }),
    prefix,
  );
  const url = await createTestDatabase();
  const m = createDatabase<unknown>({ url, schema, poolSize: 1 });
  await migrateToLatest(m.db, schema, migrations);
  await m.close();
  const s = await startService(
    loadServiceConfig({
      DATABASE_URL: url,
      AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL,
      HARU_TOPOLOGY_PREFIX: prefix,
      INTERNAL_API_TOKEN: 'x'.repeat(20),
      PORT: '0',
      LOG_LEVEL: 'silent',
    }),
  );
  await new Promise((r) => setTimeout(r, 500));
  let t = Date.now();
  await s.messaging.relay.stop();
  console.log('relay', Date.now() - t);
  t = Date.now();
  await s.messaging.stop();
  console.log('messaging', Date.now() - t);
  await s.stop();
});
