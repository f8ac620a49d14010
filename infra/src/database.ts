import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface DatabaseProps {
  vpc: ec2.IVpc;
  /** Aurora capacity units: the cluster scales between them with the load. */
  minCapacity: number;
  maxCapacity: number;
}

/**
 * PostgreSQL for every service (each keeps to its own schema), as Aurora Serverless v2,
 * PostgreSQL 18 like docker-compose's. The master credentials live in Secrets Manager.
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
      backup: { retention: Duration.days(7) },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
    });
    if (!this.cluster.secret) throw new Error('the database cluster has no generated secret');
    this.secret = this.cluster.secret;
  }
}
