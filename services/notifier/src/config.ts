import { env, loadConfig } from '@haru/config';
import { z } from 'zod';
import { type PushData, webPushLinkFields, webPushLinkPlaceholder } from './push/push-message.ts';

const notifierShape = {
  ...env.logging,
  ...env.database,
  ...env.messaging,
  ...env.retention,
  ...env.internalApi,
  ...env.http(8084),
  /** The Firebase project whose FCM the pushes go through. */
  FIREBASE_PROJECT_ID: z.string().min(1),
  /**
   * Unset in production (firebase-admin talks to FCM with the application default
   * credentials); set locally to the FCM-v1-compatible endpoint of the dev stack.
   */
  FCM_ENDPOINT_URL: z.url().optional(),
  /**
   * Batches of up to 500 due deliveries this replica sends at once; its sender's pool has one
   * connection more, apart from the API's and the consumer's.
   */
  NOTIFIER_SEND_CONCURRENCY: env.positiveInt(4),
  /**
   * Threads that build and send FCM's requests with firebase-admin, apart from the thread
   * that claims and records deliveries, runs the consumer and answers the API. Each is a
   * heap of its own whose code is compiled afresh: more than one paid off only where the
   * cores had room to spare (docs/decisions/0012).
   */
  NOTIFIER_SEND_THREADS: env.positiveInt(1),
  /** How often the sender looks for due deliveries besides the instants it knows of (another replica's, a retry's). */
  NOTIFIER_POLL_INTERVAL_MS: env.positiveInt(1000),
  /**
   * How long before their instant due deliveries are claimed (with what each push needs) and
   * the budget taken, so that at the instant only building and sending the messages is left;
   * who receives a push is decided this long before it (0: at the instant). Well under a
   * claim's lease (a minute), so that a batch held until its instant is never due again for
   * another sender first.
   */
  NOTIFIER_HEAD_START_MS: z.coerce.number().int().nonnegative().max(30_000).default(1000),
  /**
   * Batches each send worker claims within the head start, before their instant: a burst's
   * claims are made before it rather than during its drain. A replica holds at most
   * NOTIFIER_SEND_CONCURRENCY × this × 500 deliveries (20,000 by default), whatever the burst.
   */
  NOTIFIER_BATCHES_AHEAD: env.positiveInt(10),
  /** FCM messages a minute allowed to the Firebase project, shared by every replica (FCM's default quota). */
  FCM_SEND_BUDGET_PER_MINUTE: env.positiveInt(600_000),
  /** NotificationSent reports are published spread over this long, so a burst's never meet SNS's quota at once. */
  NOTIFIER_REPORT_SPREAD_MS: z.coerce.number().int().nonnegative().default(300_000),
  /**
   * The page a click on a push opens in a web app (FCM's `webpush.fcm_options.link`, which must
   * be https), naming any of the push's data fields in braces:
   * `https://app.example.com/families/{familyId}/questions/{questionId}`. Unset: a web app
   * routes a click by the push's data in its service worker, as the mobile apps do.
   */
  NOTIFIER_WEB_PUSH_LINK: z
    .url({ protocol: /^https$/, error: 'must be an https:// URL' })
    .refine(
      (link) =>
        [...link.matchAll(webPushLinkPlaceholder)].every(([, field]) =>
          webPushLinkFields.includes(field as keyof PushData),
        ),
      {
        error: `names a field a push does not carry (it may name ${webPushLinkFields.map((field) => `{${field}}`).join(', ')})`,
      },
    )
    .optional(),
  /** The icon a web app's push shows (https). */
  NOTIFIER_WEB_PUSH_ICON: z.url({ protocol: /^https$/, error: 'must be an https:// URL' }).optional(),
  /** `emf`: also write the delivery figures as CloudWatch embedded metrics on the log (infra/ sets it). */
  HARU_CLOUDWATCH_METRICS: z.enum(['off', 'emf']).default('off'),
};

export type NotifierConfig = Readonly<z.infer<z.ZodObject<typeof notifierShape>>>;

export const loadServiceConfig = (source: NodeJS.ProcessEnv = process.env): NotifierConfig =>
  loadConfig(notifierShape, source);
