// `npm run dlq -- list|show|redrive`: inspects the consumers' dead-letter queues and moves
// their messages back to the source queues once the cause is fixed. Works on whatever SQS
// the environment names: AWS_REGION, AWS_ENDPOINT_URL (unset: real AWS, with the default
// credential chain) and HARU_TOPOLOGY_PREFIX, as the services read them; with none of
// them (nor AWS_PROFILE) set, on the stack `npm start` runs.
import { commandLine, env, loadConfig, runCommand, wholeNumberOption } from '@haru/config';
import { useSettingsOrLocalStack } from '@haru/config/local-stack';
import { createAwsClients } from '../aws-clients.ts';
import { reachTopology } from '../locate-topology.ts';
import { type ConsumerName, consumerNames, maxReceiveCount, queueNames } from '../topology.ts';
import type { DeadLetter } from './dead-letter.ts';
import { consumerOfQueue, listDeadLetterQueues } from './dead-letter-queues.ts';
import { peekDeadLetters } from './peek-dead-letters.ts';
import { redriveDeadLetters } from './redrive-dead-letters.ts';

const usage = `usage: npm run dlq -- <command> [options]

  list                                 every dead-letter queue: its messages and its source queue
  show <queue> [--limit N] [--raw]     print up to N (default 10) dead-lettered messages, leaving
                                       them in the queue; --raw adds each message's body
  redrive <queue> [--limit N]          move up to N (default: all there now) back to the source
                                       queue, where the consumer handles them again

<queue>: a consuming service (${consumerNames.join(', ')}), its queue or its dead-letter queue.
Reads AWS_REGION, AWS_ENDPOINT_URL (unset: real AWS) and HARU_TOPOLOGY_PREFIX; with none of
them (nor AWS_PROFILE) set, the local stack \`npm start\` runs.
Exit status: 0 done; 1 failed (SQS error, or a message not moved); 2 usage or unknown queue.`;

/** A mistake in how the tool was called: exit 2 with the message and the usage. */
class UsageError extends Error {}
/** A queue the topology does not have: exit 2 with the queues it has. */
class UnknownQueueError extends UsageError {}

const defaultShowLimit = 10;

function parseCommandLine(args: string[]) {
  const { values, positionals } = commandLine(
    'dlq',
    {
      args,
      options: {
        limit: { type: 'string' },
        raw: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
    },
    usage,
  );
  const [command, queue, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  const limit = values.limit === undefined ? undefined : wholeNumberOption('dlq', 'limit', values.limit);
  return { command, queue, limit, raw: values.raw, help: values.help ?? false };
}

function queuesOf(prefix: string) {
  return consumerNames.map((consumer) => {
    const names = queueNames(prefix, consumer);
    return `  ${consumer}: ${names.queue} (dead letters: ${names.deadLetterQueue})`;
  });
}

function consumerNamed(prefix: string, queue: string | undefined): ConsumerName {
  if (!queue) throw new UsageError('name the queue');
  const consumer = consumerOfQueue(prefix, queue);
  if (!consumer) {
    throw new UnknownQueueError(
      [`unknown queue "${queue}"; the queues of topology prefix "${prefix}" are:`, ...queuesOf(prefix)].join('\n'),
    );
  }
  return consumer;
}

function describeDeadLetter(letter: DeadLetter, { raw }: { raw: boolean }): string[] {
  const times = [
    letter.sentAt ? `sent ${letter.sentAt.toISOString()}` : undefined,
    letter.firstReceivedAt ? `first received ${letter.firstReceivedAt.toISOString()}` : undefined,
  ].filter(Boolean);
  const event = letter.event;
  const lines = [
    `- message ${letter.messageId}: receive count ${letter.receiveCount}${times.length > 0 ? `, ${times.join(', ')}` : ''}`,
    event
      ? `  event ${event.type ?? '(no type)'} ${event.id ?? '(no id)'}, family ${event.familyId ?? '-'}, correlation ${event.correlationId ?? '-'}`
      : '  not an event: the body is not a JSON object',
    `  reason: ${letter.reason ?? `none recorded (SQS moves a message here after ${maxReceiveCount} failed receives)`}`,
  ];
  if (raw) lines.push(`  body: ${letter.body}`);
  return lines;
}

async function main(args: string[]): Promise<number> {
  const options = parseCommandLine(args);
  if (options.help) {
    console.log(usage);
    return 0;
  }
  useSettingsOrLocalStack(['AWS_REGION', 'AWS_ENDPOINT_URL', 'HARU_TOPOLOGY_PREFIX', 'AWS_PROFILE']);
  const config = loadConfig({
    AWS_REGION: env.messaging.AWS_REGION,
    AWS_ENDPOINT_URL: env.messaging.AWS_ENDPOINT_URL,
    HARU_TOPOLOGY_PREFIX: env.messaging.HARU_TOPOLOGY_PREFIX,
  });
  const prefix = config.HARU_TOPOLOGY_PREFIX;
  const clients = createAwsClients(config);
  try {
    switch (options.command) {
      case 'list': {
        if (options.queue) throw new UsageError('list takes no queue');
        const rows = (await reachTopology(config, () => listDeadLetterQueues(clients, prefix))).map((status) => [
          status.deadLetterQueue,
          `${status.depth.visible}${status.depth.inFlight > 0 ? ` (+${status.depth.inFlight} in flight)` : ''}`,
          status.sourceQueue,
        ]);
        for (const line of table([['dead-letter queue', 'messages', 'source queue'], ...rows])) console.log(line);
        return 0;
      }
      case 'show': {
        const consumer = consumerNamed(prefix, options.queue);
        const letters = await reachTopology(config, () =>
          peekDeadLetters(clients, prefix, consumer, { limit: options.limit ?? defaultShowLimit }),
        );
        const { queue, deadLetterQueue } = queueNames(prefix, consumer);
        console.log(`${deadLetterQueue} (source ${queue}): ${letters.length} shown, all left in the queue`);
        for (const letter of letters) for (const line of describeDeadLetter(letter, options)) console.log(line);
        return 0;
      }
      case 'redrive': {
        const consumer = consumerNamed(prefix, options.queue);
        const { queue, deadLetterQueue } = queueNames(prefix, consumer);
        const result = await reachTopology(config, () =>
          redriveDeadLetters(clients, prefix, consumer, { limit: options.limit }),
        );
        for (const letter of result.moved) {
          const event = letter.event;
          console.log(
            `moved ${letter.messageId}${event ? ` (${event.type ?? 'no type'} ${event.id ?? 'no id'}, family ${event.familyId ?? '-'})` : ''}`,
          );
        }
        for (const { letter, stage, error } of result.failures) {
          console.error(
            stage === 'send'
              ? `not moved ${letter.messageId}: ${error}`
              : `moved ${letter.messageId} but it is still in ${deadLetterQueue} (a later redrive sends it again): ${error}`,
          );
        }
        if (result.stoppedBy) console.error(`stopped early: ${result.stoppedBy}`);
        console.log(`${result.moved.length} moved from ${deadLetterQueue} to ${queue}`);
        return result.failures.length > 0 || result.stoppedBy ? 1 : 0;
      }
      default:
        throw new UsageError(options.command ? `unknown command "${options.command}"` : 'name a command');
    }
  } finally {
    clients.sqs.destroy();
    clients.sns.destroy();
  }
}

/** Rows as left-aligned columns. */
function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

await runCommand('dlq', async () => {
  try {
    return await main(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UnknownQueueError) console.error(error.message);
    else if (error instanceof UsageError) console.error(`${error.message}\n\n${usage}`);
    else throw error;
    return 2;
  }
});
