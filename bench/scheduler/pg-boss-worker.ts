// Baseline: pg-boss, one job per family due at its push time (`startAfter`). A worker
// publishes QuestionDue for each job (PublishBatch, ten at a time, like haru's relay) and
// schedules the family's next day as a new job, as a per-family job design must.
import { PublishBatchCommand } from '@aws-sdk/client-sns';
import { createEvent, newEventId } from '@haru/contracts';
import { createAwsClients } from '@haru/messaging';
import { PgBoss } from 'pg-boss';
import { onParentMessage, sendToParent } from './bench-process.ts';
import { startMemorySampler } from './process-memory.ts';

export interface QuestionJob {
  familyId: string;
  localDate: string;
  dueAt: string;
}

export const questionQueue = 'question-due';
const day = 24 * 60 * 60 * 1000;
const nextDate = (localDate: string) => new Date(Date.parse(`${localDate}T00:00:00Z`) + day).toISOString().slice(0, 10);

const env = process.env as Record<string, string>;
const concurrency = Number(env.BENCH_CONCURRENCY);
const topicArn = env.BENCH_TOPIC_ARN;
const { sns } = createAwsClients({ AWS_REGION: env.AWS_REGION ?? 'us-east-1', AWS_ENDPOINT_URL: env.AWS_ENDPOINT_URL });
const boss = new PgBoss({
  connectionString: env.DATABASE_URL,
  schema: 'pgboss',
  max: concurrency + 2,
  supervise: false,
});
boss.on('error', (error) => console.error('pg-boss', error));
await boss.start();
await boss.work<QuestionJob>(
  questionQueue,
  { batchSize: 100, localConcurrency: concurrency, pollingIntervalSeconds: 0.5, burstWhenBatchFull: true },
  async (jobs) => {
    const events = jobs.map(({ data }) => {
      const id = newEventId();
      const context = { occurredAt: new Date(), correlationId: id, causationId: null };
      return createEvent('QuestionDue', data.familyId, { localDate: data.localDate, dueAt: data.dueAt }, context, id);
    });
    for (let start = 0; start < events.length; start += 10) {
      await sns.send(
        new PublishBatchCommand({
          TopicArn: topicArn,
          PublishBatchRequestEntries: events.slice(start, start + 10).map((event) => ({
            Id: event.id,
            Message: JSON.stringify(event),
            MessageAttributes: { type: { DataType: 'String', StringValue: event.type } },
          })),
        }),
      );
    }
    await boss.insert(
      questionQueue,
      jobs.map(({ data }) => ({
        data: {
          ...data,
          localDate: nextDate(data.localDate),
          dueAt: new Date(Date.parse(data.dueAt) + day).toISOString(),
        },
        startAfter: new Date(Date.parse(data.dueAt) + day),
      })),
    );
  },
);

const memory = startMemorySampler();
onParentMessage(async (message) => {
  if (message.type === 'mark') memory.mark();
  if (message.type === 'stop') {
    const report = memory.report();
    memory.stop();
    await boss.stop({ graceful: true, timeout: 30_000 });
    sendToParent({ type: 'stopped', memory: report });
    process.disconnect();
  }
});
sendToParent({ type: 'ready' });
