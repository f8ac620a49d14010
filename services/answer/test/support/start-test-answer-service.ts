import {
  answerThrough,
  foundFamily,
  type InternalCall,
  internalApi,
  type QueueReader,
  readQueue,
  type ServiceTestEnvironment,
  serviceTestEnvironment,
} from '@haru/testing';
import { loadServiceConfig } from '../../src/config.ts';
import { schema } from '../../src/database.ts';
import { migrations } from '../../src/migrations/index.ts';
import { startService } from '../../src/service.ts';

export interface TestAnswerService {
  service: Awaited<ReturnType<typeof startService>>;
  environment: ServiceTestEnvironment;
  /** Its internal API, called as the gateway calls it. */
  call: InternalCall;
  /** A member's answer, handed over as the gateway does (`answerThrough`). */
  answer: ReturnType<typeof answerThrough>;
  /** A family founded by `founder` (`foundFamily`). */
  newFamily(founder: string): Promise<{ familyId: string; inviteCode: string; memberId: string }>;
  /** What the answer service published to its consumers, read from each one's queue. */
  queues: { projection: QueueReader; notifier: QueueReader };
}

/** The whole answer service in this process, on a database, topic and queues of its own. */
export async function startTestAnswerService(): Promise<TestAnswerService> {
  const environment = await serviceTestEnvironment('answer', { schema, migrations });
  const service = await startService(loadServiceConfig(environment.env), { waitTimeSeconds: 1 });
  const call = internalApi(service.url, environment.internalApiToken);
  return {
    service,
    environment,
    call,
    answer: answerThrough(call),
    newFamily: (founder) => foundFamily(call, founder),
    queues: {
      projection: readQueue(environment.clients.sqs, environment.topology.queues.projection.queueUrl),
      notifier: readQueue(environment.clients.sqs, environment.topology.queues.notifier.queueUrl),
    },
  };
}
