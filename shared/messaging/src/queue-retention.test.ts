import assert from 'node:assert/strict';
import { it } from 'node:test';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { uniqueTopologyPrefix } from '@haru/testing';
import { applyTopology } from './apply-topology.ts';
import { createAwsClients } from './aws-clients.ts';
import { consumerNames, messageRetentionSecondsFor } from './topology.ts';

const clients = createAwsClients({ AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL });
const retentionOf = async (QueueUrl: string) => {
  const { Attributes } = await clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['MessageRetentionPeriod'] }),
  );
  return Number(Attributes?.MessageRetentionPeriod);
};

it('when the retention period is shorter than 14 days, then queues and dead-letter queues keep messages that long', async () => {
  const prefix = uniqueTopologyPrefix();
  const { queues } = await applyTopology(clients, prefix, { retentionDays: 7 });
  for (const consumer of consumerNames) {
    assert.equal(await retentionOf(queues[consumer].queueUrl), 7 * 86_400, consumer);
    assert.equal(await retentionOf(queues[consumer].deadLetterQueueUrl), 7 * 86_400, consumer);
  }

  // Applied again with the default (30 days), an existing queue converges to SQS's longest.
  const again = await applyTopology(clients, prefix);
  assert.equal(await retentionOf(again.queues.notifier.deadLetterQueueUrl), 14 * 86_400);
  assert.equal(messageRetentionSecondsFor(30), 14 * 86_400);
});
