import type { ConsumerName } from '@haru/messaging';
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { ConsumerQueues } from './messaging.ts';

export interface QueueAlarmsProps {
  queues: Record<ConsumerName, ConsumerQueues>;
  /** Where alarms (and their recovery) are announced. */
  alarmTopic: sns.ITopic;
  /** A queue whose oldest message is older than this is falling behind. */
  maxMessageAge: Duration;
}

/**
 * Per consuming service: any message in its dead-letter queue (a poison message, or one
 * that failed ten times) and a backlog whose oldest message has waited too long.
 */
export class QueueAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, { queues, alarmTopic, maxMessageAge }: QueueAlarmsProps) {
    super(scope, id);
    const period = Duration.minutes(1);
    for (const [consumer, { queue, deadLetterQueue }] of Object.entries(queues)) {
      const deadLetters = deadLetterQueue
        .metricApproximateNumberOfMessagesVisible({ period, statistic: cloudwatch.Stats.MAXIMUM })
        .createAlarm(this, `${consumer}-dead-letters`, {
          alarmDescription: `Messages for the ${consumer} service are in its dead-letter queue: inspect them, fix, redrive.`,
          threshold: 0,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
      const oldestMessage = queue
        .metricApproximateAgeOfOldestMessage({ period, statistic: cloudwatch.Stats.MAXIMUM })
        .createAlarm(this, `${consumer}-oldest-message`, {
          alarmDescription: `The ${consumer} service's oldest queued message is older than ${maxMessageAge.toSeconds()} s.`,
          threshold: maxMessageAge.toSeconds(),
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 3,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
      for (const alarm of [deadLetters, oldestMessage]) {
        alarm.addAlarmAction(new actions.SnsAction(alarmTopic));
        alarm.addOkAction(new actions.SnsAction(alarmTopic));
        this.alarms.push(alarm);
      }
    }
  }
}
