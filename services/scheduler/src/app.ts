import { healthRoutes, problemHandler, requireServiceToken } from '@haru/http';
import type { Logger } from '@haru/observability';
import { Hono } from 'hono';
import { type Kysely, sql } from 'kysely';
import type { SchedulerDatabase } from './database.ts';
import { familyScheduleRoutes } from './family-schedule/family-schedule.routes.ts';

export interface AppDeps {
  db: Kysely<SchedulerDatabase>;
  logger: Logger;
  internalApiToken: string;
}

/** The scheduler's HTTP surface: health, and its internal API for the gateway. */
export function buildApp({ db, logger, internalApiToken }: AppDeps) {
  const app = new Hono();
  app.route(
    '/',
    healthRoutes({
      ready: async () => {
        await sql`select 1`.execute(db);
        return true;
      },
    }),
  );
  app.use('/internal/*', requireServiceToken({ token: internalApiToken }));
  app.route('/internal/families', familyScheduleRoutes({ db }));
  app.onError(problemHandler(logger));
  return app;
}
