import { Aws, CfnCondition, CfnMapping, Duration, Fn, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';

export interface EdgeLogsProps {
  vpc: ec2.Vpc;
  loadBalancer: elbv2.ApplicationLoadBalancer;
  /** Log objects older than this are deleted. */
  retention: Duration;
}

/**
 * Who reached the edge: the load balancer's access logs and the VPC's flow logs, in one S3
 * bucket (private, TLS only, S3-managed encryption, as load balancer logs require) whose
 * objects expire after `retention`.
 */
export class EdgeLogs extends Construct {
  readonly bucket: s3.Bucket;
  static readonly loadBalancerPrefix = 'load-balancer';
  static readonly flowLogPrefix = 'vpc-flow-logs';

  constructor(scope: Construct, id: string, { vpc, loadBalancer, retention }: EdgeLogsProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      lifecycleRules: [
        { id: 'retention', expiration: retention, abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions::AwsSolutions-S1',
      reason:
        'This bucket holds the access and flow logs themselves; only AWS’s log delivery writes to it, and logging its own access would need yet another bucket.',
    });

    vpc.addFlowLog('FlowLogs', {
      destination: ec2.FlowLogDestination.toS3(this.bucket, `${EdgeLogs.flowLogPrefix}/`),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });

    this.logLoadBalancer(loadBalancer);
  }

  /**
   * What `logAccessLogs` does, for a stack without a fixed region: regions older than
   * August 2022 deliver as their regional Elastic Load Balancing account, newer ones as
   * the log delivery service; the template picks by the region it is deployed in.
   */
  private logLoadBalancer(loadBalancer: elbv2.ApplicationLoadBalancer) {
    const prefix = EdgeLogs.loadBalancerPrefix;
    const accounts = Object.fromEntries(
      RegionInfo.regions.flatMap((region) => (region.elbv2Account ? [[region.name, region.elbv2Account]] : [])),
    );
    const mapping = new CfnMapping(this, 'LoadBalancerLogAccounts', {
      mapping: Object.fromEntries(Object.entries(accounts).map(([region, account]) => [region, { account }])),
    });
    const regions = Object.keys(accounts).map((region) => Fn.conditionEquals(Aws.REGION, region));
    const groups = [];
    for (let i = 0; i < regions.length; i += 10) groups.push(Fn.conditionOr(...regions.slice(i, i + 10)));
    const hasAccount = new CfnCondition(this, 'RegionHasLoadBalancerLogAccount', {
      expression: groups.length === 1 ? groups[0] : Fn.conditionOr(...groups),
    });
    const objects = this.bucket.arnForObjects(`${prefix}/AWSLogs/${Aws.ACCOUNT_ID}/*`);
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        principals: [
          new iam.ArnPrincipal(
            Fn.conditionIf(
              hasAccount.logicalId,
              `arn:${Aws.PARTITION}:iam::${mapping.findInMap(Aws.REGION, 'account')}:root`,
              // Regions without such an account: the account's own root, which needs no grant.
              `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:root`,
            ).toString(),
          ),
          new iam.ServicePrincipal('logdelivery.elasticloadbalancing.amazonaws.com'),
        ],
        resources: [objects],
      }),
    );
    loadBalancer.setAttribute('access_logs.s3.enabled', 'true');
    loadBalancer.setAttribute('access_logs.s3.bucket', this.bucket.bucketName);
    loadBalancer.setAttribute('access_logs.s3.prefix', prefix);
    // The policy must exist before the load balancer checks it may write.
    if (this.bucket.policy) loadBalancer.node.addDependency(this.bucket.policy);
  }
}
