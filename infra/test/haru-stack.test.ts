import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ServiceName, serviceNames, services } from '@haru/dev-stack';
import { keepAliveTimeoutMs } from '@haru/http';
import {
  consumerNames,
  filterPolicy,
  maxReceiveCount,
  messageRetentionSecondsFor,
  queueNames,
  topicName,
} from '@haru/messaging';
import { Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { loadServiceConfig as answerConfig } from '../../services/answer/src/config.ts';
import { loadServiceConfig as gatewayConfig } from '../../services/gateway/src/config.ts';
import { loadServiceConfig as notifierConfig } from '../../services/notifier/src/config.ts';
import { loadServiceConfig as projectionConfig } from '../../services/projection/src/config.ts';
import { loadServiceConfig as schedulerConfig } from '../../services/scheduler/src/config.ts';
import { createApp } from '../src/app.ts';

// CDK assertions on the synthesized template: it is derived from the same topology
// declaration the services use, and gives every service what its config demands.
const prefix = 'haru';
let outdir: string;
let template: Template;
let resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
let stack: ReturnType<typeof createApp>['stack'];

before(() => {
  outdir = mkdtempSync(join(tmpdir(), 'haru-cdk-'));
  ({ stack } = createApp({ firebaseProjectId: 'haru-test' }, outdir));
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources;
});
after(() => rmSync(outdir, { recursive: true, force: true }));

const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
const logicalIdOfQueue = (queueName: string) => {
  const found = ofType('AWS::SQS::Queue').find(([, queue]) => queue.Properties.QueueName === queueName);
  assert.ok(found, `no queue named ${queueName}`);
  return found[0];
};
const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });
const nameOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'QueueName'] });

describe('the CDK app', () => {
  it('when synthesized, then the stack is environment-agnostic and needs no lookups', () => {
    assert.ok(Token.isUnresolved(stack.account));
    assert.ok(Token.isUnresolved(stack.region));
    const assembly = stack.node.root as unknown as { synth(): { manifest: { missing?: unknown[] } } };
    assert.equal(assembly.synth().manifest.missing, undefined);
  });

  it('when synthesized, then the topic has the name the services look it up by', () => {
    template.resourceCountIs('AWS::SNS::Topic', 2);
    template.hasResourceProperties('AWS::SNS::Topic', { TopicName: topicName(prefix) });
  });

  it('when synthesized, then every queue has a dead-letter queue, after the topology’s maxReceiveCount', () => {
    const queues = ofType('AWS::SQS::Queue');
    const deadLetterQueueIds = new Set<string>();
    for (const consumer of consumerNames) {
      const names = queueNames(prefix, consumer);
      const queue = resources[logicalIdOfQueue(names.queue)];
      const deadLetterQueueId = logicalIdOfQueue(names.deadLetterQueue);
      assert.deepEqual(queue?.Properties.RedrivePolicy, {
        deadLetterTargetArn: arnOf(deadLetterQueueId),
        maxReceiveCount,
      });
      deadLetterQueueIds.add(deadLetterQueueId);
    }
    // Nothing else: no queue without a dead-letter queue but the dead-letter queues themselves.
    assert.equal(queues.length, consumerNames.length * 2);
    for (const [id, queue] of queues) {
      assert.ok(queue.Properties.RedrivePolicy || deadLetterQueueIds.has(id), `${id} has no dead-letter queue`);
    }
  });

  it('when synthesized, then queues keep messages as long as the services keep their inboxes, at most 14 days', () => {
    const environment = (name: ServiceName) =>
      (containerOf(name).Environment as Array<{ Name: string; Value: unknown }>).find(
        ({ Name }) => Name === 'RETENTION_DAYS',
      )?.Value;
    for (const name of serviceNames.filter((service) => services[service].database)) {
      assert.equal(environment(name), '30', `${name}'s RETENTION_DAYS`);
    }
    for (const [id, queue] of ofType('AWS::SQS::Queue')) {
      assert.equal(queue.Properties.MessageRetentionPeriod, messageRetentionSecondsFor(30), id);
    }
  });

  it("when a web app is given, then the gateway allows its origins and the notifier's pushes open its pages; by default neither", () => {
    const webApp = {
      webOrigins: 'https://app.haru.example',
      webPushLink: 'https://app.haru.example/families/{familyId}/questions/{questionId}',
      webPushIcon: 'https://app.haru.example/icon-192.png',
    };
    const withWebApp = Template.fromStack(
      createApp({ firebaseProjectId: 'haru-test', ...webApp }, join(outdir, 'web-app')).stack,
    );
    const expected = {
      gateway: [{ Name: 'CORS_ALLOWED_ORIGINS', Value: webApp.webOrigins }],
      notifier: [
        { Name: 'NOTIFIER_WEB_PUSH_LINK', Value: webApp.webPushLink },
        { Name: 'NOTIFIER_WEB_PUSH_ICON', Value: webApp.webPushIcon },
      ],
    };
    for (const [service, variables] of Object.entries(expected)) {
      withWebApp.hasResourceProperties('AWS::ECS::TaskDefinition', {
        ContainerDefinitions: Match.arrayWith([
          Match.objectLike({ Name: service, Environment: Match.arrayWith(variables) }),
        ]),
      });
      const names = (containerOf(service as ServiceName).Environment as Array<{ Name: string }>).map(
        ({ Name }) => Name,
      );
      for (const { Name } of variables) assert.ok(!names.includes(Name), `${Name} by default`);
    }
  });

  it('when synthesized, then every consumer’s subscription delivers raw, filtered as topology.ts declares', () => {
    const subscriptions = ofType('AWS::SNS::Subscription');
    assert.equal(subscriptions.length, consumerNames.length);
    for (const consumer of consumerNames) {
      const endpoint = arnOf(logicalIdOfQueue(queueNames(prefix, consumer).queue));
      const subscription = subscriptions.find(([, resource]) => isEqual(resource.Properties.Endpoint, endpoint));
      assert.ok(subscription, `no subscription for the ${consumer} queue`);
      assert.deepEqual(subscription[1].Properties.FilterPolicy, filterPolicy(consumer));
      assert.equal(subscription[1].Properties.RawMessageDelivery, true);
      assert.equal(subscription[1].Properties.Protocol, 'sqs');
    }
  });

  it('when synthesized, then every dead-letter queue alarms on any message and every queue on its oldest message', () => {
    for (const consumer of consumerNames) {
      const names = queueNames(prefix, consumer);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: nameOf(logicalIdOfQueue(names.deadLetterQueue)) }],
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        AlarmActions: Match.anyValue(),
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: nameOf(logicalIdOfQueue(names.queue)) }],
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 300,
        AlarmActions: Match.anyValue(),
      });
    }
  });

  it('when synthesized, then PostgreSQL is Aurora Serverless v2 with its credentials generated in Secrets Manager', () => {
    template.hasResourceProperties('AWS::RDS::DBCluster', {
      Engine: 'aurora-postgresql',
      EngineVersion: Match.stringLikeRegexp('^18\\.'),
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 16 },
      StorageEncrypted: true,
      DatabaseName: 'haru',
      MasterUserPassword: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"username":"haru"}' }),
    });
    template.resourceCountIs('AWS::RDS::DBInstance', 2);
  });

  it('when synthesized, then each service runs on Fargate from the one image, with the command that picks it', () => {
    const taskDefinitions = ofType('AWS::ECS::TaskDefinition');
    assert.equal(ofType('AWS::ECS::Service').length, serviceNames.length);
    const images = new Set<string>();
    for (const name of serviceNames) {
      const container = containerOf(name);
      images.add(JSON.stringify(container.Image));
      const script = (container.Command as string[]).join(' ');
      assert.match(script, new RegExp(`exec node services/${name}/src/main\\.ts`));
      assert.equal(script.includes(`node services/${name}/src/migrate.ts`), services[name].database);
      assert.deepEqual(container.PortMappings, [
        { AppProtocol: 'http', ContainerPort: services[name].port, Name: name, Protocol: 'tcp' },
      ]);
    }
    assert.equal(images.size, 1);
    assert.equal(taskDefinitions.length, serviceNames.length);
    for (const [, taskDefinition] of taskDefinitions) {
      assert.deepEqual(taskDefinition.Properties.RequiresCompatibilities, ['FARGATE']);
    }
  });

  it('when a service’s container starts, then its environment satisfies that service’s config', () => {
    const loaders: Record<ServiceName, (env: NodeJS.ProcessEnv) => unknown> = {
      gateway: gatewayConfig,
      answer: answerConfig,
      projection: projectionConfig,
      scheduler: schedulerConfig,
      notifier: notifierConfig,
    };
    for (const name of serviceNames) {
      const container = containerOf(name);
      const environment = Object.fromEntries(
        (container.Environment as Array<{ Name: string; Value: unknown }>).map(({ Name, Value }) => [
          Name,
          atDeployTime(Value),
        ]),
      );
      for (const { Name } of container.Secrets as Array<{ Name: string }>) {
        environment[Name] = 'secret-from-secrets-manager-0123456789';
      }
      assert.doesNotThrow(() => loaders[name](environment), `${name}'s config rejects its container's environment`);
      assert.equal(environment.AWS_ENDPOINT_URL, undefined, 'real AWS: no endpoint override');
      assert.equal(environment.FIREBASE_AUTH_EMULATOR_HOST, undefined, 'real Firebase: no emulator');
      assert.equal(environment.HARU_TOPOLOGY_PREFIX ?? prefix, prefix);
      assert.equal(environment.DATABASE_PASSWORD, undefined, 'no database password reaches a service');
      if (services[name].database) {
        // Its own user, an IAM token for a password, TLS verified against the RDS CAs.
        const url = new URL(environment.DATABASE_URL ?? '');
        assert.equal(url.username, `haru_${name}`);
        assert.equal(url.password, '');
        assert.deepEqual(Object.fromEntries(url.searchParams), {
          sslmode: 'verify-full',
          sslrootcert: 'rds',
          authentication: 'aws-iam',
        });
      } else {
        assert.equal(environment.DATABASE_URL, undefined);
      }
    }
  });

  it('when synthesized, then each service may sign in to PostgreSQL only as its own user, which the deployment creates first', () => {
    template.hasResourceProperties('AWS::RDS::DBCluster', { EnableIAMDatabaseAuthentication: true });
    const policies = ofType('AWS::IAM::Policy');
    for (const name of serviceNames) {
      const statements = policies
        .filter(
          ([id]) => id.startsWith(`${name}TaskTaskRoleDefaultPolicy`) || id.startsWith(`${name}TaskExecutionRole`),
        )
        .flatMap(
          ([, policy]) => (policy.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement,
        );
      const connects = statements.filter((statement) => statement.Action === 'rds-db:connect');
      const text = JSON.stringify(statements);
      if (!services[name].database) {
        assert.equal(connects.length, 0);
        continue;
      }
      assert.equal(connects.length, 1);
      assert.match(JSON.stringify(connects[0]?.Resource), new RegExp(`/haru_${name}"\\]\\]\\}$`));
      // The master secret is the deployment's and the operator's, never a service's.
      assert.doesNotMatch(text, /DatabaseClusterSecret/);
      const setup = Object.entries(resources).find(
        ([id, resource]) => id.startsWith(`Database${name}user`) && resource.Type === 'Custom::AWS',
      );
      assert.ok(setup, `no database user setup for ${name}`);
      assert.match(JSON.stringify(setup[1].Properties), new RegExp(`CREATE ROLE haru_${name} LOGIN`));
      const service = Object.entries(template.toJSON().Resources as Record<string, { DependsOn?: string[] }>).find(
        ([id]) => id.startsWith(`${name}Service`) && resources[id]?.Type === 'AWS::ECS::Service',
      );
      assert.ok(service?.[1].DependsOn?.includes(setup[0]), `${name} starts before its database user exists`);
    }
    // The master secret is rotated every 30 days (no service holds it).
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
    });
  });

  it('when synthesized, then load balancer access logs and VPC flow logs go to one private bucket that forgets after 90 days', () => {
    const buckets = ofType('AWS::S3::Bucket');
    assert.equal(buckets.length, 1);
    const [bucketId, bucket] = buckets[0] ?? ['', { Type: '', Properties: {} }];
    assert.deepEqual(
      (bucket.Properties.LifecycleConfiguration as { Rules: Array<Record<string, unknown>> }).Rules.map(
        (rule) => rule.ExpirationInDays,
      ),
      [90],
    );
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      LogDestinationType: 's3',
      LogDestination: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([arnOf(bucketId)])]) }),
      TrafficType: 'ALL',
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'access_logs.s3.enabled', Value: 'true' },
        { Key: 'access_logs.s3.bucket', Value: { Ref: bucketId } },
      ]),
    });
  });

  it('when synthesized, then the notifier reports due deliveries, scales out on them, and alarms on late pushes', () => {
    assert.equal(
      (containerOf('notifier').Environment as Array<{ Name: string; Value: unknown }>).find(
        ({ Name }) => Name === 'HARU_CLOUDWATCH_METRICS',
      )?.Value,
      'emf',
    );
    const dueMetric = (name: string) =>
      Match.objectLike({
        MetricStat: Match.objectLike({
          Metric: { Namespace: 'haru', MetricName: name, Dimensions: [{ Name: 'Service', Value: 'notifier' }] },
        }),
      });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'MAX([backlog, upcoming])' }),
        dueMetric('DueDeliveryBacklog'),
        dueMetric('UpcomingDeliveries'),
      ]),
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^notifierServiceTaskCountTargetDueDeliveriesUpperPolicy') }],
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'StepScaling',
      ScalingTargetId: { Ref: Match.stringLikeRegexp('^notifierServiceTaskCountTarget') },
      StepScalingPolicyConfiguration: Match.objectLike({
        StepAdjustments: Match.arrayWith([Match.objectLike({ ScalingAdjustment: 2 })]),
      }),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'haru',
      MetricName: 'PushLatenessP99Seconds',
      Dimensions: [{ Name: 'Service', Value: 'notifier' }],
      Threshold: 10,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Alarms') }],
      OKActions: [{ Ref: Match.stringLikeRegexp('^Alarms') }],
    });
  });

  it('when synthesized, then consumers scale on their queue’s depth and the gateway on CPU', () => {
    for (const consumer of consumerNames) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: nameOf(logicalIdOfQueue(queueNames(prefix, consumer).queue)) }],
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [{ Ref: Match.stringLikeRegexp(`^${consumer}ServiceTaskCountTargetQueueDepthUpperPolicy`) }],
      });
    }
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      ScalingTargetId: { Ref: Match.stringLikeRegexp('^gatewayServiceTaskCountTarget') },
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
      }),
    });
  });

  it('when synthesized, then an internet-facing load balancer forwards to the gateway, checking its liveness', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: services.gateway.port,
      HealthCheckPath: '/healthz',
      TargetType: 'ip',
    });
  });

  it('when synthesized, then the load balancer and the Service Connect proxy close an idle connection before the service does', () => {
    const attributes = ofType('AWS::ElasticLoadBalancingV2::LoadBalancer').flatMap(
      ([, loadBalancer]) => loadBalancer.Properties.LoadBalancerAttributes as Array<{ Key: string; Value: string }>,
    );
    const idleSeconds = attributes.find(({ Key }) => Key === 'idle_timeout.timeout_seconds')?.Value;
    assert.ok(Number(idleSeconds) * 1000 < keepAliveTimeoutMs, `the load balancer keeps ${idleSeconds} s`);
    const proxied = ofType('AWS::ECS::Service').flatMap(([, service]) => {
      const config = service.Properties.ServiceConnectConfiguration as
        | { Services?: Array<{ PortName: string; Timeout?: { IdleTimeoutSeconds?: number } }> }
        | undefined;
      return config?.Services ?? [];
    });
    assert.deepEqual(proxied.map(({ PortName }) => PortName).sort(), ['answer', 'notifier', 'projection', 'scheduler']);
    for (const { PortName, Timeout } of proxied) {
      const seconds = Timeout?.IdleTimeoutSeconds;
      assert.ok(seconds !== undefined && seconds * 1000 < keepAliveTimeoutMs, `${PortName}'s proxy keeps ${seconds} s`);
    }
  });

  it('when synthesized, then the API alarms on gateway 5xx answers and on no healthy gateway task', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'HTTPCode_Target_5XX_Count',
      Namespace: 'AWS/ApplicationELB',
      Threshold: 25,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Alarms') }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'HealthyHostCount',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
    });
  });

  it('when synthesized, then the load balancer answers /metrics itself with 404, never forwarding it', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: 1,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/metrics', '/metrics/*'] } }],
      Actions: [
        Match.objectLike({ Type: 'fixed-response', FixedResponseConfig: Match.objectLike({ StatusCode: '404' }) }),
      ],
    });
  });

  it('when synthesized, then each consumer may read only its own queue and park messages only in its own DLQ', () => {
    const policies = ofType('AWS::IAM::Policy');
    for (const consumer of consumerNames) {
      const statements = policies
        .filter(([id]) => id.startsWith(`${consumer}TaskTaskRoleDefaultPolicy`))
        .flatMap(
          ([, policy]) => (policy.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement,
        );
      const resourcesFor = (action: string) =>
        statements
          .filter((statement) => ([statement.Action].flat() as string[]).includes(action))
          .map((statement) => JSON.stringify(statement.Resource));
      const names = queueNames(prefix, consumer);
      assert.deepEqual(resourcesFor('sqs:ReceiveMessage'), [JSON.stringify(arnOf(logicalIdOfQueue(names.queue)))]);
      assert.deepEqual(resourcesFor('sqs:SendMessage'), [
        JSON.stringify(arnOf(logicalIdOfQueue(names.deadLetterQueue))),
      ]);
      assert.equal(resourcesFor('sns:Publish').length, 1);
    }
  });
});

function containerOf(name: ServiceName): Record<string, unknown> {
  const found = ofType('AWS::ECS::TaskDefinition').find(([id]) => id.startsWith(`${name}Task`));
  assert.ok(found, `no task definition for ${name}`);
  const [container] = found[1].Properties.ContainerDefinitions as Array<Record<string, unknown>>;
  assert.ok(container);
  return container;
}

/** A container variable as the task sees it: deploy-time parts replaced by plausible values. */
function atDeployTime(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map(atDeployTime).join(join[0]);
  return /Port/.test(JSON.stringify(value)) ? '5432' : 'resolved-at-deploy';
}

function isEqual(a: unknown, b: unknown): boolean {
  try {
    assert.deepEqual(a, b);
    return true;
  } catch {
    return false;
  }
}
