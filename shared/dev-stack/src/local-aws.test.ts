import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { CreateQueueCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { createAwsClients } from '@haru/messaging';
import { startLocalAws } from './local-aws.ts';

const dataDir = await mkdtemp(join(tmpdir(), 'haru-local-aws-'));
after(() => rm(dataDir, { recursive: true, force: true }));

it('when restarted with the same data directory, then the queues created before are still there', async () => {
  const first = await startLocalAws({ port: 0, dataDir });
  const before = createAwsClients({ AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: first.url }).sqs;
  await before.send(new CreateQueueCommand({ QueueName: 'kept-queue' }));
  before.destroy();
  await first.stop();

  const second = await startLocalAws({ port: 0, dataDir });
  const afterRestart = createAwsClients({ AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: second.url }).sqs;
  try {
    const { QueueUrl } = await afterRestart.send(new GetQueueUrlCommand({ QueueName: 'kept-queue' }));
    assert.match(QueueUrl ?? '', /kept-queue$/);
  } finally {
    afterRestart.destroy();
    await second.stop();
  }
});
