import { ListTopicsCommand } from '@aws-sdk/client-sns';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import type { AwsClients } from './aws-clients.ts';
import { type ConsumerName, queueNames, topicName } from './topology.ts';

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
  throw new Error(`topic ${topicName(prefix)} not found; apply the topology first`);
}

export async function locateQueues(
  { sqs }: AwsClients,
  prefix: string,
  consumer: ConsumerName,
): Promise<{ queueUrl: string; deadLetterQueueUrl: string }> {
  const names = queueNames(prefix, consumer);
  const url = async (QueueName: string) => {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName }));
    if (!QueueUrl) throw new Error(`queue ${QueueName} not found; apply the topology first`);
    return QueueUrl;
  };
  return { queueUrl: await url(names.queue), deadLetterQueueUrl: await url(names.deadLetterQueue) };
}
