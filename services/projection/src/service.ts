import { startDatabaseService } from '@haru/runtime';
import { Hono } from 'hono';
import { awaitedMembersRoutes } from './completion/awaited-members-routes.ts';
import { applyToCompletion } from './completion/completion-handler.ts';
import { completionRoutes } from './completion/completion-routes.ts';
import type { ProjectionConfig } from './config.ts';
import { type ProjectionDatabase, schema } from './database.ts';
import { createLagGauge } from './lag/lag-gauge.ts';
import { migrations } from './migrations/index.ts';

/**
 * The projection service: per-family, per-question completion from the answer service's
 * events, FamilyQuestionCompleted, and whom each question still waits for (the scheduler's
 * reminders ask). The model can be rebuilt or verified by replaying
 * the answer service's event feed (see replay/).
 */
export const startService = (config: ProjectionConfig, options: { waitTimeSeconds?: number } = {}) =>
  startDatabaseService<ProjectionDatabase>({
    name: 'projection',
    schema,
    migrations,
    config,
    ...options,
    routes: ({ database }) =>
      new Hono().route('/families', completionRoutes(database)).route('/questions', awaitedMembersRoutes(database)),
    handle: ({ database, metrics }) => {
      const lag = createLagGauge(metrics);
      return async (event) => {
        await applyToCompletion(database.db, event, new Date());
        lag.applied(event.occurredAt);
      };
    },
  });
