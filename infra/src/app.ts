import { repoRoot } from '@haru/dev-stack';
import { Annotations, App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { HaruStack, type ImageSource } from './haru-stack.ts';

/**
 * The CDK app. Settings come from CDK context (`-c key=value` or cdk.json):
 * - `stackName` (default Haru), `topologyPrefix` (default haru);
 * - `firebaseProjectId`: the Firebase project (required for a real deployment);
 * - `ecrRepository` + `imageTag`: run an image pushed by CI; otherwise CDK builds the
 *   Dockerfile's `runtime` target from this repository and pushes it on deploy;
 * - `certificateArn` (HTTPS), `alarmEmail`, `natGateways`;
 * - `retentionDays` (default 30): the services' RETENTION_DAYS, and so the queues' retention (at most 14 days);
 * - `webOrigins`: origins of web apps whose pages may call the app API (the gateway's CORS_ALLOWED_ORIGINS);
 * - `webPushLink`, `webPushIcon`: the page a click on a push opens in the web app, and its icon
 *   (the notifier's NOTIFIER_WEB_PUSH_LINK and NOTIFIER_WEB_PUSH_ICON).
 * No account or region is fixed: the stack is environment-agnostic and synthesizes offline.
 * Synthesis runs cdk-nag's AWS Solutions checks and fails on any finding that is neither
 * fixed nor acknowledged in code with its reason (docs/security.md lists them).
 */
export function createApp(context: Record<string, string> = {}, outdir?: string) {
  const app = new App({ context, ...(outdir ? { outdir } : {}) });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const setting = (key: string): string | undefined => app.node.tryGetContext(key);

  const firebaseProjectId = setting('firebaseProjectId');
  const stack = new HaruStack(app, setting('stackName') ?? 'Haru', {
    description: 'haru: event-sourced services on ECS Fargate, SNS/SQS and Aurora PostgreSQL',
    topologyPrefix: setting('topologyPrefix') ?? 'haru',
    firebaseProjectId: firebaseProjectId ?? 'set-firebaseProjectId',
    image: imageSource(setting('ecrRepository'), setting('imageTag')),
    certificateArn: setting('certificateArn'),
    webOrigins: setting('webOrigins'),
    webPushLink: setting('webPushLink'),
    webPushIcon: setting('webPushIcon'),
    alarmEmail: setting('alarmEmail'),
    ...(setting('natGateways') ? { natGateways: Number(setting('natGateways')) } : {}),
    ...(setting('retentionDays') ? { retentionDays: positiveInteger('retentionDays', setting('retentionDays')) } : {}),
  });
  if (!firebaseProjectId) {
    Annotations.of(stack).addWarningV2('haru:firebaseProjectId', 'set the Firebase project: -c firebaseProjectId=<id>');
  }
  return { app, stack };
}

function positiveInteger(key: string, value: string | undefined): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new Error(`${key} must be a positive whole number of days`);
  return number;
}

function imageSource(ecrRepository: string | undefined, tag: string | undefined): ImageSource {
  if (ecrRepository && tag) return { ecrRepository, tag };
  if (ecrRepository || tag) throw new Error('set both ecrRepository and imageTag, or neither');
  return { directory: repoRoot };
}
