import { startDatabaseService } from '@haru/runtime';
import { Hono } from 'hono';
import { applyToCompletion } from './completion/completion-handler.ts';
import { completionRoutes } from './completion/completion-routes.ts';
import type { ProjectionConfig } from './config.ts';
import { type ProjectionDatabase, schema } from './database.ts';
import { createLagGauge } from './lag/lag-gauge.ts';

/**
 * The projection service: per-family, per-question completion from the answer service's
 * events, and FamilyQuestionCompleted. The model can be rebuilt or verified by replaying
 * the answer service's event feed (see replay/).
 */
export const startService = (config: ProjectionConfig, options: { waitTimeSeconds?: number } = {}) =>
  startDatabaseService<ProjectionDatabase>({
    name: 'projection',
    schema,
    config,
    ...options,
    routes: ({ database }) => new Hono().route('/families', completionRoutes(database)),
    handle: ({ database, metrics }) => {
      const lag = createLagGauge(metrics);
      return async (event) => {
        await applyToCompletion(database.db, event, new Date());
        lag.applied(event.occurredAt);
      };
    },
  });
