import { env, loadConfig } from '@haru/config';
import { z } from 'zod';

/** A family's state keeps its two latest questions, so a question must open before the next one is announced. */
const maxLeadMs = 43_200_000;

export function loadServiceConfig(source: NodeJS.ProcessEnv = process.env) {
  return loadConfig(
    {
      ...env.logging,
      ...env.database,
      ...env.messaging,
      ...env.retention,
      ...env.internalApi,
      ...env.http(8083),
      /** The projection's internal API, asked whom a due reminder goes to. */
      PROJECTION_URL: env.serviceUrl('http://127.0.0.1:8082'),
      /** Pause between ticks of the due-index once it is drained. */
      SCHEDULER_TICK_MS: env.positiveInt(1000),
      /** Due rows claimed per tick transaction. */
      SCHEDULER_TICK_BATCH_SIZE: env.positiveInt(500),
      /** Connections of the tick's own pool, apart from the API's and the consumer's. */
      SCHEDULER_TICK_POOL_SIZE: env.positiveInt(2),
      /**
       * How long before its instant a push is announced: a family's question (QuestionDue) and
       * an "everyone answered" push held by quiet hours (DueAndComplete), each carrying its
       * instant. The answer service and the notifier prepare everything within this lead, so
       * that at the instant only the notifier's send is left, and a burst's SNS traffic travels
       * ahead of it. 0: at the instant. At most 12 hours (`maxLeadMs`).
       */
      SCHEDULER_LEAD_MS: z.coerce.number().int().nonnegative().max(maxLeadMs).default(300_000),
      /**
       * Families a second the services open and prepare (here 75–250, docs/benchmarks.md). When
       * more families are due soon than this rate prepares within the lead (100,000 sharing a
       * minute), their questions are announced earlier, as early as preparing them needs; and
       * so are their reminders, three hours later.
       */
      SCHEDULER_PREPARE_RATE: env.positiveInt(75),
      /** How far ahead at most a crowded minute's questions, or reminders, are announced; at or below the lead, never beyond it. */
      SCHEDULER_MAX_LEAD_MS: z.coerce.number().int().nonnegative().max(maxLeadMs).default(3_600_000),
      /** How late a missed question may still be announced after an outage. */
      SCHEDULER_CATCH_UP_WINDOW_MINUTES: z.coerce.number().int().nonnegative().default(180),
    },
    source,
  );
}

export type SchedulerConfig = ReturnType<typeof loadServiceConfig>;
