import { startDatabaseService } from '@haru/runtime';
import { Hono } from 'hono';
import { applyToCompletion } from './completion/completion-handler.ts';
import { completionRoutes } from './completion/completion-routes.ts';
import type { ProjectionConfig } from './config.ts';
import { type ProjectionDatabase, schema } from './database.ts';

/** The projection service: per-family, per-question completion, and FamilyQuestionCompleted. */
export const startService = (config: ProjectionConfig, options: { waitTimeSeconds?: number } = {}) =>
  startDatabaseService<ProjectionDatabase>({
    name: 'projection',
    schema,
    config,
    ...options,
    routes: ({ database }) => new Hono().route('/families', completionRoutes(database)),
    handle:
      ({ database }) =>
      (event) =>
        applyToCompletion(database.db, event, new Date()),
  });
