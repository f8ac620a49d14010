import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as customResources from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { serviceUserSql } from './database-users.ts';

export interface DatabaseProps {
  vpc: ec2.IVpc;
  /** Aurora capacity units: the cluster scales between them with the load. */
  minCapacity: number;
  maxCapacity: number;
}

/**
 * PostgreSQL for every service (each keeps to its own schema), as Aurora Serverless v2,
 * PostgreSQL 18 like docker-compose's. The services sign in with RDS IAM authentication,
 * each as a user of its own (docs/decisions/0006-database-iam-authentication.md); the
 * master credentials live in Secrets Manager, rotated monthly, for the deployment's own
 * setup of those users and an operator's break-glass use.
 */
export class Database extends Construct {
  readonly cluster: rds.DatabaseCluster;
  readonly secret: secretsmanager.ISecret;
  readonly databaseName = 'haru';
  readonly username = 'haru';
  constructor(scope: Construct, id: string, { vpc, minCapacity, maxCapacity }: DatabaseProps) {
    super(scope, id);
    this.cluster = new rds.DatabaseCluster(this, 'Cluster', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_18_6 }),
      credentials: rds.Credentials.fromGeneratedSecret(this.username),
      defaultDatabaseName: this.databaseName,
      writer: rds.ClusterInstance.serverlessV2('Writer'),
      // A reader in another zone, promoted if the writer fails; it scales with the writer.
      readers: [rds.ClusterInstance.serverlessV2('Reader', { scaleWithWriter: true })],
      serverlessV2MinCapacity: minCapacity,
      serverlessV2MaxCapacity: maxCapacity,
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      storageEncrypted: true,
      iamAuthentication: true,
      // The deployment creates the services' users through it (no network path needed).
      enableDataApi: true,
      backup: { retention: Duration.days(7) },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
    });
    if (!this.cluster.secret) throw new Error('the database cluster has no generated secret');
    this.secret = this.cluster.secret;
    // No service uses the master password, so changing it under them breaks nothing. The
    // rotation function runs where it reaches both Secrets Manager and the database.
    this.cluster.addRotationSingleUser({
      automaticallyAfter: Duration.days(30),
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      // Not during a deployment, whose setup of the services' users signs in with this secret.
      rotateImmediatelyOnUpdate: false,
    });
    Validations.of(this.cluster).acknowledge({
      id: 'AwsSolutions::AwsSolutions-RDS11',
      reason:
        'PostgreSQL keeps its default port 5432: the cluster has no public address and its security group admits only haru’s tasks and the rotation function, so another port would hide nothing.',
    });
  }

  /** The user a service signs in as (IAM authentication); its schema is its own. */
  userOf(service: string): string {
    return `haru_${service}`;
  }

  /**
   * Creates the service's user (idempotently, on every deployment) through the Data API as
   * the master user, and lets the role sign in as it with an IAM token. Returns the
   * construct the service must wait for.
   */
  addServiceUser(service: string, role: iam.IRole): Construct {
    const user = this.userOf(service);
    const call: customResources.AwsSdkCall = {
      service: 'rds-data',
      action: 'ExecuteStatement',
      parameters: {
        resourceArn: this.cluster.clusterArn,
        secretArn: this.secret.secretArn,
        database: this.databaseName,
        sql: serviceUserSql({ database: this.databaseName, schema: service, user }),
      },
      physicalResourceId: customResources.PhysicalResourceId.of(`database-user-${user}`),
    };
    const setup = new customResources.AwsCustomResource(this, `${service}-user`, {
      onCreate: call,
      onUpdate: call,
      installLatestAwsSdk: false,
      timeout: Duration.minutes(5),
      // The Data API call needs the cluster and the master secret, both named.
      policy: customResources.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['rds-data:ExecuteStatement'], resources: [this.cluster.clusterArn] }),
        new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.secret.secretArn] }),
      ]),
    });
    Validations.of(setup.grantPrincipal as unknown as Construct).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        'CDK’s AwsCustomResource function writes its own logs under AWS’s basic execution policy (CloudWatch Logs only); what it may do beyond that is the two statements above, on the named cluster and secret.',
    });
    // The writer must be up; the rotation set up beside it need not be.
    for (const part of this.cluster.node.findAll()) {
      if (part instanceof rds.CfnDBCluster || part instanceof rds.CfnDBInstance) setup.node.addDependency(part);
    }
    this.cluster.grantConnect(role, user);
    return setup;
  }
}
