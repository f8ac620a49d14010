import type { Database } from '@haru/db';
import { createLogger, createMetrics } from '@haru/observability';
import { serviceApp } from '@haru/runtime';
import type { NotifierDatabase } from '../../src/database.ts';
import { notifierRoutes } from '../../src/service.ts';

/** The notifier's HTTP app on `database`, its internal API behind `internalApiToken`, logging nothing. */
export const notifierTestApp = (
  database: Database<NotifierDatabase>,
  { internalApiToken, clock = () => new Date() }: { internalApiToken: string; clock?: () => Date },
) =>
  serviceApp({
    database,
    logger: createLogger('notifier-test', 'silent'),
    metrics: createMetrics('notifier-test'),
    routes: notifierRoutes({ database, clock }),
    internalApiToken,
  });
