// Reference: N QuestionDue published with nothing to schedule them, PublishBatch of ten with
// several batches in flight, from the due instant on. What is left of every variant's drain
// time above this is the scheduler's; this much is the SNS/SQS emulator's (and the machine's).
import { PublishBatchCommand } from '@aws-sdk/client-sns';
import { createEvent, newEventId } from '@haru/contracts';
import { createAwsClients } from '@haru/messaging';
import { onParentMessage, sendToParent } from './bench-process.ts';
import { startMemorySampler } from './process-memory.ts';

const env = process.env as Record<string, string>;
const { sns } = createAwsClients({ AWS_REGION: env.AWS_REGION ?? 'us-east-1', AWS_ENDPOINT_URL: env.AWS_ENDPOINT_URL });
const memory = startMemorySampler();

onParentMessage(async (message) => {
  if (message.type === 'arm') {
    const { families, dueAt, inFlight, topicArn } = message as unknown as {
      families: number;
      dueAt: number;
      inFlight: number;
      topicArn: string;
    };
    sendToParent({ type: 'armed' });
    await new Promise((resolve) => setTimeout(resolve, dueAt - Date.now()));
    let next = 0;
    const publisher = async () => {
      while (next < families) {
        const count = Math.min(10, families - next);
        next += count;
        const entries = Array.from({ length: count }, () => {
          const id = newEventId();
          const data = { localDate: new Date(dueAt).toISOString().slice(0, 10), dueAt: new Date(dueAt).toISOString() };
          const context = { occurredAt: new Date(), correlationId: id, causationId: null };
          const event = createEvent('QuestionDue', crypto.randomUUID(), data, context, id);
          return {
            Id: event.id,
            Message: JSON.stringify(event),
            MessageAttributes: { type: { DataType: 'String', StringValue: event.type } },
          };
        });
        await sns.send(new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: entries }));
      }
    };
    await Promise.all(Array.from({ length: inFlight }, publisher));
  }
  if (message.type === 'mark') memory.mark();
  if (message.type === 'stop') {
    const report = memory.report();
    memory.stop();
    sendToParent({ type: 'stopped', memory: report });
    process.disconnect();
  }
});
sendToParent({ type: 'ready' });
