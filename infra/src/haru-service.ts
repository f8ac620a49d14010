import { type ServiceName, services } from '@haru/dev-stack';
import { keepAliveTimeoutMs } from '@haru/http';
import { Duration, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/**
 * How long the load balancer and the Service Connect proxy keep an idle connection to a
 * service: shorter than the service does (`keepAliveTimeoutMs`), so that they close it first
 * and never send a request on one the service is closing (a 502 or 503 for the app).
 */
export const idleTimeoutInFront = Duration.millis(keepAliveTimeoutMs - 5_000);

export interface HaruServiceProps {
  name: ServiceName;
  cluster: ecs.ICluster;
  image: ecs.ContainerImage;
  securityGroup: ec2.ISecurityGroup;
  /** Variables and secrets the service reads (see each service's config.ts). */
  environment: Record<string, string>;
  secrets: Record<string, ecs.Secret>;
  /** Shell lines run before the service starts (e.g. composing DATABASE_URL). */
  prelude?: string[];
  cpu: number;
  memoryLimitMiB: number;
  minCapacity: number;
  maxCapacity: number;
  /** Whether other services call it (by its name, through ECS Service Connect). */
  calledByOthers: boolean;
}

/**
 * One haru service on ECS Fargate, from the one image: its task (the command picks the
 * service; services with a database migrate first, which Kysely's migration lock makes safe
 * for replicas starting together), its service with a deployment circuit breaker, its
 * name in the Service Connect namespace, and its task count's scaling bounds.
 */
export class HaruService extends Construct {
  readonly service: ecs.FargateService;
  readonly scaling: ecs.ScalableTaskCount;
  readonly container: ecs.ContainerDefinition;

  constructor(scope: Construct, id: string, props: HaruServiceProps) {
    super(scope, id);
    const { name, cluster, image, securityGroup, environment, secrets, prelude = [] } = props;
    const { port, database } = services[name];
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: props.cpu,
      memoryLimitMiB: props.memoryLimitMiB,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    const script = [
      'set -e',
      ...prelude,
      ...(database ? [`node services/${name}/src/migrate.ts`] : []),
      // exec: the service is the container's main process and receives SIGTERM itself.
      `exec node services/${name}/src/main.ts`,
    ];
    this.container = taskDefinition.addContainer(name, {
      image,
      command: ['sh', '-c', script.join('\n')],
      environment: { ...environment, PORT: String(port), HOST: '0.0.0.0' },
      secrets,
      portMappings: [{ name, containerPort: port, appProtocol: ecs.AppProtocol.http }],
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: name, logRetention: logs.RetentionDays.ONE_MONTH }),
      // Liveness only: /readyz also checks dependencies, and replacing a task because the
      // database or a backend is down would not help.
      healthCheck: {
        command: [
          'CMD',
          'node',
          '-e',
          `fetch('http://127.0.0.1:${port}/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
        ],
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(60),
      },
      user: 'node',
      // The services drain their consumers and relays within 30 s of SIGTERM.
      stopTimeout: Duration.seconds(45),
    });
    this.service = new ecs.FargateService(this, 'Service', {
      cluster,
      taskDefinition,
      serviceName: name,
      desiredCount: props.minCapacity,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      securityGroups: [securityGroup],
      // Operators run one-off tools (e.g. the projection's rebuild) inside a running task.
      enableExecuteCommand: true,
      serviceConnectConfiguration: props.calledByOthers
        ? { services: [{ portMappingName: name, dnsName: name, port, idleTimeout: idleTimeoutInFront }] }
        : {},
    });
    Validations.of(taskDefinition).acknowledge({
      id: 'AwsSolutions::AwsSolutions-ECS2',
      reason:
        'The plain environment holds only settings that are not secret (region, names, endpoints, ports, log level, the database URL without a password); every secret comes from Secrets Manager through the task’s secrets.',
    });
    const executionRole = taskDefinition.executionRole;
    if (executionRole) {
      Validations.of(executionRole).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          'ecr:GetAuthorizationToken has no resource-level permission; pulling is limited to the image’s repository, logs to the service’s log group, secrets to the ones the task names.',
      });
    }
    this.scaling = this.service.autoScaleTaskCount({ minCapacity: props.minCapacity, maxCapacity: props.maxCapacity });
  }
}
