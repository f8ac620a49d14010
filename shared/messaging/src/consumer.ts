import { type Message, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type DomainEvent, eventTypes, parseEvent } from '@haru/contracts';
import { isHaruError } from '@haru/errors';
import { counter, delayBuckets, durationBuckets, histogram, type Logger, type Metrics } from '@haru/observability';
import { Consumer } from 'sqs-consumer';
import { runReportingDuplicates } from './inbox.ts';
import { maxReceiveCount, visibilityTimeoutSeconds } from './topology.ts';

export interface ConsumerOptions {
  /** Names the consumer in logs, e.g. the consuming service. */
  name: string;
  sqs: SQSClient;
  queueUrl: string;
  deadLetterQueueUrl: string;
  logger: Logger;
  metrics: Metrics;
  /** Messages handled at once (bounded; SQS returns at most ten per receive). */
  concurrency: number;
  /** Handles one valid event; throwing leaves it on the queue to be retried with backoff. */
  handle: (event: DomainEvent) => Promise<void>;
  /** Long-polling wait; stopping waits for the current poll, so shorter stops sooner. */
  waitTimeSeconds?: number;
}

export interface RunningConsumer {
  stop(): Promise<void>;
}

const maxMessagesPerReceive = 10;

/**
 * Message attributes the consumer adds when it parks a message in the dead-letter queue
 * itself: they describe the parking, not the event (a redrive leaves them behind).
 */
export const parkingAttributes = { reason: 'reason', sourceQueueUrl: 'sourceQueueUrl' } as const;

/** Domain errors that a later attempt may not meet again: retried like any failure. */
const retryableKinds = new Set(['unavailable', 'rate-limited']);

/** Seconds before a failed message is received again: 1, 2, 4, 8 … up to 5 minutes. */
export const retryDelaySeconds = (receiveCount: number): number => Math.min(2 ** Math.max(receiveCount - 1, 0), 300);

/**
 * Long-polls an SQS queue with sqs-consumer and hands each event to `handle`.
 * - Schema check at the edge: a message that is not a known, valid event goes to the
 *   dead-letter queue at once, with the reason, and is never retried.
 * - A handler that throws is retried after `retryDelaySeconds`; after the queue's
 *   maxReceiveCount receives SQS moves the message to the dead-letter queue. A
 *   HaruError (a domain rejection, e.g. not-found) is dead-lettered at once.
 * - A heartbeat extends the visibility timeout while a slow handler runs.
 * Delivery is at-least-once and unordered: handlers make themselves idempotent
 * (see `handleOnce`).
 * Each event's queue lag, handling time and outcome are measured (see `consumerMetrics`),
 * and its handling is logged with its correlation id.
 */
export function startConsumer(options: ConsumerOptions): RunningConsumer {
  const { name, sqs, queueUrl, deadLetterQueueUrl, logger, concurrency, handle, waitTimeSeconds = 10 } = options;
  const measured = consumerMetrics(options.metrics);

  const deadLetter = async (message: Message, reason: string, event?: DomainEvent) => {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: deadLetterQueueUrl,
        MessageBody: message.Body ?? '',
        MessageAttributes: {
          [parkingAttributes.reason]: { DataType: 'String', StringValue: reason.slice(0, 1000) },
          [parkingAttributes.sourceQueueUrl]: { DataType: 'String', StringValue: queueUrl },
        },
      }),
    );
    const identity = event && { eventId: event.id, type: event.type, correlationId: event.correlationId };
    logger.warn({ consumer: name, messageId: message.MessageId, ...identity, reason }, 'message dead-lettered');
  };

  const handleMessage = async (message: Message): Promise<Message> => {
    const started = performance.now();
    const body = parseJson(message.Body);
    const parsed = parseEvent(body);
    if (!parsed.ok) {
      await deadLetter(message, parsed.reason);
      measured.finished(typeLabelOf(body), 'dead-lettered', started);
      return message;
    }
    const { event } = parsed;
    measured.queueLag.observe({ type: event.type }, Math.max(Date.now() - Date.parse(event.occurredAt), 0) / 1000);
    const identity = { consumer: name, eventId: event.id, type: event.type, correlationId: event.correlationId };
    let outcome: Outcome;
    try {
      outcome = await runReportingDuplicates(() => handle(event));
    } catch (error) {
      // A domain rejection will not change on retry: park it with the reason instead.
      if (isHaruError(error) && !retryableKinds.has(error.kind)) {
        await deadLetter(message, `${error.kind}: ${error.message}`, event);
        measured.finished(event.type, 'dead-lettered', started);
        return message;
      }
      const receiveCount = receiveCountOf(message);
      // After its last receive SQS moves the message to the dead-letter queue itself.
      const lastReceive = receiveCount >= maxReceiveCount;
      logger.warn(
        { err: error, ...identity, receiveCount },
        lastReceive ? 'event handler failed; dead-lettered after its last receive' : 'event handler failed; will retry',
      );
      measured.finished(event.type, lastReceive ? 'dead-lettered' : 'retried', started);
      throw error;
    }
    const seconds = measured.finished(event.type, outcome, started);
    logger.info({ ...identity, outcome, durationMs: Math.round(seconds * 1000) }, 'event handled');
    return message;
  };

  const pollers = Math.ceil(concurrency / maxMessagesPerReceive);
  const batchSize = Math.ceil(concurrency / pollers);
  const consumers = Array.from({ length: pollers }, () => {
    const consumer = Consumer.create({
      queueUrl,
      sqs,
      batchSize,
      waitTimeSeconds,
      visibilityTimeout: visibilityTimeoutSeconds,
      heartbeatInterval: Math.floor(visibilityTimeoutSeconds / 3),
      messageSystemAttributeNames: ['ApproximateReceiveCount'],
      terminateVisibilityTimeout: (messages) => retryDelaySeconds(receiveCountOf(messages[0])),
      handleMessage,
      strictReturn: true,
      // Stopping waits for the current receive and its handlers: aborting a long poll
      // could leave a message the server already handed out invisible until it times out.
      pollingCompleteWaitTimeMs: (waitTimeSeconds + visibilityTimeoutSeconds) * 1000,
    });
    consumer.on('error', (error) => logger.error({ err: error, consumer: name }, 'queue polling failed'));
    consumer.on('processing_error', () => {
      // Logged above with the event's identity; the message stays for a retry.
    });
    consumer.start();
    return consumer;
  });

  return {
    async stop() {
      await Promise.all(
        consumers.map(
          (consumer) =>
            new Promise<void>((resolve) => {
              consumer.once('stopped', () => resolve());
              consumer.stop();
            }),
        ),
      );
    },
  };
}

type Outcome = 'handled' | 'duplicate' | 'retried' | 'dead-lettered';

/**
 * - `haru_consumer_queue_lag_seconds{type}`: from an event's `occurredAt` to the start of
 *   its handling (publishing, queueing, waiting for a free handler, and retries' delays);
 * - `haru_consumer_handler_duration_seconds{type,outcome}` and
 *   `haru_consumer_events_total{type,outcome}`: how long handling took and how it ended.
 */
function consumerMetrics(metrics: Metrics) {
  const queueLag = histogram(metrics, {
    name: 'haru_consumer_queue_lag_seconds',
    help: 'Time from an event occurring to its handling by this consumer, by event type.',
    labelNames: ['type'],
    buckets: delayBuckets,
  });
  const durations = histogram(metrics, {
    name: 'haru_consumer_handler_duration_seconds',
    help: 'Time spent handling an event, by event type and outcome.',
    labelNames: ['type', 'outcome'],
    buckets: durationBuckets,
  });
  const outcomes = counter(metrics, {
    name: 'haru_consumer_events_total',
    help: 'Events received by this consumer, by event type and outcome (handled, duplicate, retried, dead-lettered).',
    labelNames: ['type', 'outcome'],
  });
  return {
    queueLag,
    /** Records how handling ended; returns the seconds it took. */
    finished(type: string, outcome: Outcome, started: number): number {
      const seconds = (performance.now() - started) / 1000;
      durations.observe({ type, outcome }, seconds);
      outcomes.inc({ type, outcome });
      return seconds;
    },
  };
}

const knownTypes = new Set<string>(eventTypes);

/** The type of a message that is not a valid event, as a label: only known types, so that garbage cannot add series. */
const typeLabelOf = (body: unknown): string => {
  const type = (body as { type?: unknown } | undefined)?.type;
  return typeof type === 'string' && knownTypes.has(type) ? type : 'unknown';
};

const parseJson = (body: string | undefined): unknown => {
  try {
    return JSON.parse(body ?? '');
  } catch {
    return undefined;
  }
};

const receiveCountOf = (message: Message | undefined): number =>
  Number(message?.Attributes?.ApproximateReceiveCount ?? 1);
