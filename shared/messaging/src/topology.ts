// The messaging topology, declared once. The local bootstrap, docker-compose's setup
// job and the CDK app (infra/) all derive topic, queues, dead-letter queues and
// subscription filters from this one declaration.
import type { EventType } from '@haru/contracts';

/** Which event types each consuming service receives on its queue. */
export const subscriptions = {
  answer: ['QuestionDue'],
  projection: ['FamilyCreated', 'MemberJoined', 'MemberLeft', 'QuestionOpened', 'AnswerSubmitted'],
  scheduler: ['FamilyCreated', 'ScheduleChanged', 'QuestionOpened', 'QuestionRescheduled', 'FamilyQuestionCompleted'],
  notifier: [
    'MemberJoined',
    'MemberLeft',
    'MemberPreferencesChanged',
    'QuestionOpened',
    'QuestionRescheduled',
    'AnswerSubmitted',
    'DueAndComplete',
    'ReminderDue',
  ],
} as const satisfies Record<string, readonly EventType[]>;

export type ConsumerName = keyof typeof subscriptions;
export const consumerNames = Object.keys(subscriptions) as ConsumerName[];

/**
 * After this many failed receives SQS moves a message to the consumer's dead-letter queue.
 * With the consumer's backoff (1, 2, 4 … 256 s) that is about 8.5 minutes of failing, long
 * enough to ride out a database failover or a deploy without parking every event in flight.
 */
export const maxReceiveCount = 10;
/** How long a received message stays invisible; the consumer's heartbeat extends it. */
export const visibilityTimeoutSeconds = 30;
/** The longest SQS keeps a message: 14 days. */
export const maxMessageRetentionSeconds = 14 * 24 * 60 * 60;
/**
 * Queues and dead-letter queues keep a message as long as the services keep their data
 * (RETENTION_DAYS), up to SQS's 14 days. Never longer: a consumer's inbox row, which makes a
 * second copy of a message harmless, must outlive every copy still queued.
 */
export const messageRetentionSecondsFor = (retentionDays: number): number =>
  Math.min(retentionDays * 24 * 60 * 60, maxMessageRetentionSeconds);

export interface QueueNames {
  queue: string;
  deadLetterQueue: string;
}

export const topicName = (prefix: string): string => `${prefix}-events`;

export const queueNames = (prefix: string, consumer: ConsumerName): QueueNames => ({
  queue: `${topicName(prefix)}-${consumer}`,
  deadLetterQueue: `${topicName(prefix)}-${consumer}-dlq`,
});

/** The SNS subscription filter: only the consumer's event types reach its queue. */
export const filterPolicy = (consumer: ConsumerName): { type: string[] } => ({
  type: [...subscriptions[consumer]],
});
