import type { Database } from '@haru/db';
import { healthRoutes, problemHandler, requireServiceToken } from '@haru/http';
import type { Logger } from '@haru/observability';
import { Hono } from 'hono';
import { sql } from 'kysely';
import type { AnswerDatabase } from './database.ts';
import { familyRoutes } from './families/family-routes.ts';
import { questionRoutes } from './questions/question-routes.ts';

export interface AnswerAppDeps {
  database: Database<AnswerDatabase>;
  logger: Logger;
  internalApiToken: string;
}

export function buildApp({ database, logger, internalApiToken }: AnswerAppDeps) {
  const internal = new Hono()
    .use(requireServiceToken({ token: internalApiToken }))
    .route('/families', familyRoutes(database))
    .route('/families', questionRoutes(database));
  const app = new Hono()
    .route('/', healthRoutes({ ready: async () => (await sql`select 1`.execute(database.db), true) }))
    .route('/internal', internal);
  app.onError(problemHandler(logger));
  return app;
}
