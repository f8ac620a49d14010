import type { Database } from '@haru/db';
import { healthRoutes, problemHandler, requireServiceToken } from '@haru/http';
import type { Logger } from '@haru/observability';
import { Hono } from 'hono';
import { sql } from 'kysely';
import type { NotifierDatabase } from './database.ts';
import { deviceRoutes } from './devices/device-routes.ts';
import { notificationRoutes } from './notifications/notification-routes.ts';

export interface AppDeps {
  database: Database<NotifierDatabase>;
  logger: Logger;
  internalApiToken: string;
  clock: () => Date;
}

/** The notifier's HTTP surface: health probes, and the internal API the gateway calls. */
export function buildApp({ database, logger, internalApiToken, clock }: AppDeps) {
  const internal = new Hono()
    .use(requireServiceToken({ token: internalApiToken }))
    .route('/devices', deviceRoutes({ database, clock }))
    .route('/families', notificationRoutes({ database }));

  const app = new Hono()
    .route(
      '/',
      healthRoutes({
        ready: async () => {
          await sql`select 1`.execute(database.db);
          return true;
        },
      }),
    )
    .route('/internal', internal);
  app.onError(problemHandler(logger));
  return app;
}
