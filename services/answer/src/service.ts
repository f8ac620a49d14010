import { startDatabaseService } from '@haru/runtime';
import { Hono } from 'hono';
import { accountRoutes } from './accounts/account-routes.ts';
import type { AnswerConfig } from './config.ts';
import { type AnswerDatabase, schema } from './database.ts';
import { eventFeedRoutes } from './event-feed/event-feed-routes.ts';
import { familyRoutes } from './families/family-routes.ts';
import { migrations } from './migrations/index.ts';
import { answerRoutes } from './questions/answer-routes.ts';
import { openQuestionOnDue } from './questions/open-question-on-due.ts';
import { questionRoutes } from './questions/question-routes.ts';

/** The answer service: event-sourced families and questions, and the QuestionDue consumer. */
export const startService = (config: AnswerConfig, options: { waitTimeSeconds?: number } = {}) =>
  startDatabaseService<AnswerDatabase>({
    name: 'answer',
    schema,
    migrations,
    config,
    ...options,
    routes: ({ database, logger }) =>
      new Hono()
        .route('/answers', answerRoutes(database, logger))
        .route('/families', familyRoutes(database, { inviteLifetimeMs: config.INVITE_LIFETIME_HOURS * 3_600_000 }))
        .route('/families', questionRoutes(database))
        .route('/events', eventFeedRoutes(database))
        .route('/accounts', accountRoutes(database)),
    handle:
      ({ database }) =>
      (event) =>
        openQuestionOnDue(database, event),
  });
