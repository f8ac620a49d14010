import { ListTopicsCommand } from '@aws-sdk/client-sns';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { describeFailure } from '@haru/config';
import type { AwsClients, AwsSettings } from './aws-clients.ts';
import { type ConsumerName, queueNames, topicName } from './topology.ts';

/** A topic or queue of haru's topology that is not there: the topology was not applied (or the prefix is wrong). */
export class TopologyNotFound extends Error {
  override name = 'TopologyNotFound';
  constructor(what: string, prefix: string) {
    super(`${what} not found; apply the topology first (or check HARU_TOPOLOGY_PREFIX, now ${prefix})`);
  }
}

/**
 * Runs a look-up of the topology; a failure other than a missing topic or queue (SNS/SQS
 * out of reach, no credentials) becomes one sentence naming the endpoint and its settings.
 */
export async function reachTopology<T>(settings: AwsSettings, lookUp: () => Promise<T>): Promise<T> {
  try {
    return await lookUp();
  } catch (error) {
    if (error instanceof TopologyNotFound) throw error;
    const where = settings.AWS_ENDPOINT_URL ?? `AWS in ${settings.AWS_REGION}`;
    throw new Error(`cannot reach SNS/SQS at ${where} (AWS_ENDPOINT_URL, AWS_REGION): ${describeFailure(error)}`, {
      cause: error,
    });
  }
}

/**
 * Finds the topic's ARN by name. Services only look the topology up; creating it is
 * the job of the setup step (locally) or of the CDK app (in AWS).
 */
export async function locateTopic({ sns }: AwsClients, prefix: string): Promise<string> {
  const suffix = `:${topicName(prefix)}`;
  let NextToken: string | undefined;
  do {
    const page = await sns.send(new ListTopicsCommand({ NextToken }));
    const found = page.Topics?.find((topic) => topic.TopicArn?.endsWith(suffix));
    if (found?.TopicArn) return found.TopicArn;
    NextToken = page.NextToken;
  } while (NextToken);
  throw new TopologyNotFound(`topic ${topicName(prefix)}`, prefix);
}

export async function locateQueues(
  { sqs }: AwsClients,
  prefix: string,
  consumer: ConsumerName,
): Promise<{ queueUrl: string; deadLetterQueueUrl: string }> {
  const names = queueNames(prefix, consumer);
  const url = async (QueueName: string) => {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName })).catch((error: unknown) => {
      if (error instanceof Error && error.name === 'QueueDoesNotExist') return { QueueUrl: undefined };
      throw error;
    });
    if (!QueueUrl) throw new TopologyNotFound(`queue ${QueueName}`, prefix);
    return QueueUrl;
  };
  return { queueUrl: await url(names.queue), deadLetterQueueUrl: await url(names.deadLetterQueue) };
}
