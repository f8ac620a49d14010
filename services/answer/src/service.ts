import { createDatabase } from '@haru/db';
import { serveApp } from '@haru/http';
import { startServiceMessaging } from '@haru/messaging';
import { createLogger } from '@haru/observability';
import { buildApp } from './app.ts';
import type { AnswerConfig } from './config.ts';
import { type AnswerDatabase, schema } from './database.ts';
import { openQuestionOnDue } from './questions/open-question-on-due.ts';

/** Starts the answer service: its API, its outbox relay and its QuestionDue consumer. */
export async function startService(config: AnswerConfig, options: { waitTimeSeconds?: number } = {}) {
  const logger = createLogger('answer', config.LOG_LEVEL);
  const database = createDatabase<AnswerDatabase>({
    url: config.DATABASE_URL,
    schema,
    poolSize: config.DATABASE_POOL_SIZE,
  });
  const messaging = await startServiceMessaging({
    service: 'answer',
    database,
    settings: config,
    logger,
    handle: (event) => openQuestionOnDue(database, event),
    ...options,
  });
  const server = await serveApp(buildApp({ database, logger, internalApiToken: config.INTERNAL_API_TOKEN }), {
    port: config.PORT,
    host: config.HOST,
  });
  logger.info({ url: server.url }, 'answer service ready');
  return {
    url: server.url,
    logger,
    database,
    messaging,
    stops: [server.close, messaging.stop, database.close],
    async stop() {
      for (const stop of this.stops) await stop();
    },
  };
}
