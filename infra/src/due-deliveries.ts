import { Duration } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { HaruService } from './haru-service.ts';

/** Where the notifier's embedded-metric-format lines put its due-delivery metrics. */
export const notifierMetrics = { namespace: 'haru', dimensionsMap: { Service: 'notifier' } } as const;

export interface DueDeliveriesProps {
  notifier: HaruService;
  alarmTopic: sns.ITopic;
  /** Push lateness (FCM acceptance minus the family's instant) above which the alarm fires. */
  latenessThreshold: Duration;
}

/**
 * The notifier's side of "on time at the phone": it scales out on the pushes that are due
 * or about to be (prepared ahead, so the tasks are there at the instant), and an alarm says
 * when pushes reach FCM late. The metrics come from the notifier itself (every 10 s, as
 * CloudWatch embedded metric format on stdout, with HARU_CLOUDWATCH_METRICS=emf).
 */
export class DueDeliveries extends Construct {
  readonly latenessAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, { notifier, alarmTopic, latenessThreshold }: DueDeliveriesProps) {
    super(scope, id);
    const period = Duration.minutes(1);
    const metric = (metricName: string) =>
      new cloudwatch.Metric({ ...notifierMetrics, metricName, period, statistic: cloudwatch.Stats.MAXIMUM });
    // Due and not yet sent, or due within the next five minutes: whichever is larger is the
    // work the tasks must be there for. Each task reports the shared backlog, so Maximum.
    const pushesAtHand = new cloudwatch.MathExpression({
      expression: 'MAX([backlog, upcoming])',
      usingMetrics: { backlog: metric('DueDeliveryBacklog'), upcoming: metric('UpcomingDeliveries') },
      period,
      label: 'due or upcoming deliveries',
    });
    notifier.scaling.scaleOnMetric('DueDeliveries', {
      metric: pushesAtHand,
      scalingSteps: [
        { upper: 0, change: -1 },
        { lower: 1_000, change: +2 },
        { lower: 10_000, change: +5 },
        { lower: 50_000, change: +10 },
      ],
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      cooldown: period,
      evaluationPeriods: 1,
    });

    this.latenessAlarm = metric('PushLatenessP99Seconds').createAlarm(this, 'notifier-push-lateness', {
      alarmDescription:
        `Pushes reach FCM late: the notifier's p99 push lateness was above ${latenessThreshold.toSeconds()} s ` +
        'in 2 of the last 3 minutes (docs/operations.md).',
      threshold: latenessThreshold.toSeconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      // No pushes in a minute means no lateness to report, not a late push.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.latenessAlarm.addAlarmAction(new actions.SnsAction(alarmTopic));
    this.latenessAlarm.addOkAction(new actions.SnsAction(alarmTopic));
  }
}
