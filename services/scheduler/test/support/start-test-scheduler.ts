import type { DomainEvent } from '@haru/contracts';
import { createDatabase, type Database } from '@haru/db';
import {
  publishEvent,
  type QueueReader,
  readQueue,
  type ServiceTestEnvironment,
  serviceTestEnvironment,
} from '@haru/testing';
import { loadServiceConfig, type SchedulerConfig } from '../../src/config.ts';
import { type SchedulerDatabase, schema } from '../../src/database.ts';
import { createEventHandler } from '../../src/handle-event.ts';
import { migrations } from '../../src/migrations/index.ts';
import { type RunningService, startService } from '../../src/service.ts';

export interface TestScheduler {
  service: RunningService;
  environment: ServiceTestEnvironment;
  config: SchedulerConfig;
  /** The scheduler's tables, on a pool of the test's own. */
  test: Database<SchedulerDatabase>;
  /** The consumer's own handler, for tests that deliver events directly rather than by SNS. */
  handle: (event: DomainEvent) => Promise<void>;
  /** An event published to the topic, as its producer would. */
  publish: (event: DomainEvent) => Promise<void>;
  /** What the scheduler sent its consumers, read from each one's queue. */
  queues: { answer: QueueReader; notifier: QueueReader };
  /** Stops the scheduler, the services beside it and the test's pool. */
  stop(): Promise<void>;
}

/**
 * The whole scheduler in this process, on a database, topic and queues of its own, with the
 * test's clock (`now`): a push time comes when the test moves it. `settings` are its
 * variables beyond the test defaults (quiet logs, the outbox polled every 50 ms); the
 * services `alongside` run as their own processes on the same topic.
 */
export async function startTestScheduler({
  now,
  settings = {},
  alongside = [],
}: {
  now: () => Date;
  settings?: Record<string, string>;
  alongside?: readonly 'projection'[];
}): Promise<TestScheduler> {
  const environment = await serviceTestEnvironment('scheduler', { schema, migrations, alongside });
  const config = loadServiceConfig({
    ...environment.env,
    LOG_LEVEL: 'silent',
    OUTBOX_POLL_INTERVAL_MS: '50',
    ...settings,
  });
  const service = await startService(config, { now, waitTimeSeconds: 1 });
  const test = createDatabase<SchedulerDatabase>({ url: config.DATABASE_URL, schema, poolSize: 5 });
  return {
    service,
    environment,
    config,
    test,
    handle: createEventHandler({ db: test.db, now, leadMs: config.SCHEDULER_LEAD_MS }),
    publish: (event) => publishEvent(environment.topic, event),
    queues: {
      answer: readQueue(environment.clients.sqs, environment.topology.queues.answer.queueUrl),
      notifier: readQueue(environment.clients.sqs, environment.topology.queues.notifier.queueUrl),
    },
    async stop() {
      await service.stop();
      await environment.stopAlongside();
      await test.close();
    },
  };
}
