import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';

export interface AwsSettings {
  AWS_REGION: string;
  AWS_ENDPOINT_URL?: string | undefined;
}

export interface AwsClients {
  sns: SNSClient;
  sqs: SQSClient;
}

/**
 * SNS and SQS clients. Without an endpoint they use the SDK's default credential chain
 * against real AWS; with one (fauxqs, LocalStack) they talk to it with dummy keys
 * unless keys are set, and address queues by the endpoint, not by the queue URL's host.
 */
export function createAwsClients(settings: AwsSettings): AwsClients {
  const endpoint = settings.AWS_ENDPOINT_URL;
  const local = endpoint
    ? {
        endpoint,
        credentials: {
          accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'test',
          secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'test',
        },
      }
    : {};
  return {
    sns: new SNSClient({ region: settings.AWS_REGION, ...local }),
    sqs: new SQSClient({
      region: settings.AWS_REGION,
      ...local,
      ...(endpoint ? { useQueueUrlAsEndpoint: false } : {}),
    }),
  };
}
