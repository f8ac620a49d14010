import { env, loadConfig } from '@haru/config';
import { z } from 'zod';

export function loadServiceConfig(source: NodeJS.ProcessEnv = process.env) {
  return loadConfig(
    {
      ...env.logging,
      ...env.database,
      ...env.messaging,
      ...env.internalApi,
      ...env.http(8083),
      /** Pause between ticks of the due-index once it is drained. */
      SCHEDULER_TICK_MS: env.positiveInt(1000),
      /** Due rows claimed per tick transaction. */
      SCHEDULER_TICK_BATCH_SIZE: env.positiveInt(500),
      /** Connections of the tick's own pool, apart from the API's and the consumer's. */
      SCHEDULER_TICK_POOL_SIZE: env.positiveInt(2),
      /**
       * How long before a question's due instant the tick prepares it: records it in the fire
       * ledger, moves the family on, and puts its QuestionDue on the outbox, held there until
       * the instant. The work of a burst of families due in the same minute is then done
       * before the minute, and only their publishing is left for it. 0: at the instant.
       */
      SCHEDULER_QUESTION_LEAD_MS: z.coerce.number().int().nonnegative().default(30_000),
      /** How late a missed question may still be announced after an outage. */
      SCHEDULER_CATCH_UP_WINDOW_MINUTES: z.coerce.number().int().nonnegative().default(180),
    },
    source,
  );
}

export type ServiceConfig = ReturnType<typeof loadServiceConfig>;
