// Baseline: the original design, one in-process cron job per family (croner, with the
// family's zone). Each firing publishes its QuestionDue on its own, as the original sent one
// message per trigger, with a bounded number of publishes in flight (its thread pool).
import { PublishCommand } from '@aws-sdk/client-sns';
import { createEvent, newEventId } from '@haru/contracts';
import { createAwsClients } from '@haru/messaging';
import { Cron } from 'croner';
import { onParentMessage, sendToParent } from './bench-process.ts';
import { currentMemory, startMemorySampler } from './process-memory.ts';

const env = process.env as Record<string, string>;
const { sns } = createAwsClients({ AWS_REGION: env.AWS_REGION ?? 'us-east-1', AWS_ENDPOINT_URL: env.AWS_ENDPOINT_URL });

/** The cron pattern (with seconds) that fires at `at` in `timezone`, every day. */
function dailyPatternAt(at: Date, timezone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: timezone,
    hourCycle: 'h23',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return `${part('second')} ${part('minute')} ${part('hour')} * * *`;
}

/** At most `limit` tasks at once, the rest queued in order. */
function boundedQueue(limit: number) {
  let running = 0;
  const waiting: Array<() => Promise<void>> = [];
  const runNext = () => {
    while (running < limit && waiting.length > 0) {
      const task = waiting.shift() as () => Promise<void>;
      running += 1;
      task()
        .catch((error: unknown) => console.error('publish failed', error))
        .finally(() => {
          running -= 1;
          runNext();
        });
    }
  };
  return (task: () => Promise<void>) => {
    waiting.push(task);
    runNext();
  };
}

const jobs: Cron[] = [];
const memory = startMemorySampler();
onParentMessage(async (message) => {
  if (message.type === 'arm') {
    const { families, zones, dueAt, inFlight, topicArn } = message as unknown as {
      families: number;
      zones: string[];
      dueAt: number;
      inFlight: number;
      topicArn: string;
    };
    const due = new Date(dueAt);
    const patterns = new Map(zones.map((zone) => [zone, dailyPatternAt(due, zone)]));
    const enqueue = boundedQueue(inFlight);
    const empty = currentMemory();
    const started = performance.now();
    for (let index = 0; index < families; index += 1) {
      const familyId = crypto.randomUUID();
      const timezone = zones[index % zones.length] as string;
      const fire = () => {
        const id = newEventId();
        // The local date is not what is measured; the due instant's UTC date stands in for it.
        const data = { localDate: due.toISOString().slice(0, 10), dueAt: due.toISOString() };
        const context = { occurredAt: new Date(), correlationId: id, causationId: null };
        const event = createEvent('QuestionDue', familyId, data, context, id);
        enqueue(async () => {
          await sns.send(
            new PublishCommand({
              TopicArn: topicArn,
              Message: JSON.stringify(event),
              MessageAttributes: { type: { DataType: 'String', StringValue: event.type } },
            }),
          );
        });
      };
      jobs.push(new Cron(patterns.get(timezone) as string, { timezone }, fire));
      // Progress, so that the benchmark can tell how far it got should the heap run out.
      if ((index + 1) % Math.max(1, Math.floor(families / 10)) === 0) {
        const { heapUsed } = process.memoryUsage();
        sendToParent({
          type: 'progress',
          jobs: index + 1,
          heapUsedMb: Math.round(heapUsed / 2 ** 20),
          elapsedMs: Math.round(performance.now() - started),
        });
      }
    }
    const armedAt = Date.now();
    const createMs = performance.now() - started;
    sendToParent({ type: 'armed', armedAt, createMs, empty, withJobs: currentMemory() });
  }
  if (message.type === 'mark') memory.mark();
  if (message.type === 'stop') {
    const report = memory.report();
    memory.stop();
    for (const job of jobs) job.stop();
    sendToParent({ type: 'stopped', memory: report });
    process.disconnect();
  }
});
sendToParent({ type: 'ready' });
