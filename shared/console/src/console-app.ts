import type { AwsClients } from '@haru/messaging';
import { listDeadLetterQueues } from '@haru/messaging/dead-letter-queues';
import { Hono } from 'hono';
import { html } from 'hono/html';
import { validate as isUuid } from 'uuid';
import { familyPage, overviewPage, page } from './console-pages.ts';
import type { ConsoleReads } from './console-reads.ts';
import { devicePushes, fetchReceivedMessages } from './device-pushes.ts';
import { explainFamily, familyTimeline } from './family-timeline.ts';

export interface ConsoleDependencies {
  reads: ConsoleReads;
  /** The local FCM endpoint, whose accepted messages are the devices' pushes. */
  fcmEndpointUrl: string | undefined;
  aws: AwsClients;
  topologyPrefix: string;
  now?: () => Date;
}

/** The local console's pages, server-rendered. */
export function buildConsoleApp({
  reads,
  fcmEndpointUrl,
  aws,
  topologyPrefix,
  now = () => new Date(),
}: ConsoleDependencies) {
  const app = new Hono();

  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.get('/', async (c) => {
    const [received, families, notifications, deadLetters] = await Promise.all([
      fetchReceivedMessages(fcmEndpointUrl),
      reads.schedules(),
      reads.notifications(),
      listDeadLetterQueues(aws, topologyPrefix).catch(
        (error: unknown) => `dead-letter queues unavailable: ${error instanceof Error ? error.message : String(error)}`,
      ),
    ]);
    return c.html(overviewPage({ devices: devicePushes(received), families, notifications, deadLetters }));
  });

  app.get('/families/:familyId', async (c) => {
    const familyId = c.req.param('familyId');
    if (!isUuid(familyId)) return c.html(page('not found', html`no family ${familyId}`), 404);
    const record = await reads.family(familyId);
    return c.html(familyPage(record, explainFamily(record, now()), familyTimeline(record)));
  });

  app.onError((error, c) =>
    c.html(page('console error', html`the console could not read the stack: ${error.message}`), 500),
  );
  return app;
}
