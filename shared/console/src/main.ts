// The local console `npm start` serves (CONSOLE_PORT, default 8090): the pushes each device
// got, families and their next instants, deliveries, dead letters, a family's timeline.
// Reads DATABASE_URL (read-only), FCM_ENDPOINT_URL, AWS_REGION, AWS_ENDPOINT_URL and
// HARU_TOPOLOGY_PREFIX; run by itself it finds a running `npm start` when none is set.
import { env, loadConfig, runCommand } from '@haru/config';
import { useSettingsOrLocalStack } from '@haru/config/local-stack';
import { serveApp } from '@haru/http';
import { createAwsClients } from '@haru/messaging';
import { z } from 'zod';
import { buildConsoleApp } from './console-app.ts';
import { consoleReads } from './console-reads.ts';

await runCommand('console', async () => {
  useSettingsOrLocalStack(['DATABASE_URL']);
  const config = loadConfig({
    DATABASE_URL: env.database.DATABASE_URL,
    FCM_ENDPOINT_URL: z.url().optional(),
    AWS_REGION: env.messaging.AWS_REGION,
    AWS_ENDPOINT_URL: env.messaging.AWS_ENDPOINT_URL,
    HARU_TOPOLOGY_PREFIX: env.messaging.HARU_TOPOLOGY_PREFIX,
    CONSOLE_PORT: env.port(8090),
  });
  const reads = consoleReads(config.DATABASE_URL);
  const aws = createAwsClients(config);
  const app = buildConsoleApp({
    reads,
    fcmEndpointUrl: config.FCM_ENDPOINT_URL,
    aws,
    topologyPrefix: config.HARU_TOPOLOGY_PREFIX,
  });
  const server = await serveApp(app, { port: config.CONSOLE_PORT, host: '127.0.0.1' });
  console.log(`console on http://127.0.0.1:${server.port}`);

  const stop = async () => {
    await server.close();
    await reads.close();
    aws.sqs.destroy();
    aws.sns.destroy();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
});
