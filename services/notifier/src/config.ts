import { env, loadConfig } from '@haru/config';
import { z } from 'zod';

const notifierShape = {
  ...env.logging,
  ...env.database,
  ...env.messaging,
  ...env.internalApi,
  ...env.http(8084),
  /** The Firebase project whose FCM the pushes go through. */
  FIREBASE_PROJECT_ID: z.string().min(1),
  /**
   * Unset in production (firebase-admin talks to FCM with the application default
   * credentials); set locally to the FCM-v1-compatible endpoint of the dev stack.
   */
  FCM_ENDPOINT_URL: z.url().optional(),
  /** Pause between rounds of the sweep that sends pending deliveries once they are due again. */
  DELIVERY_RETRY_INTERVAL_MS: env.positiveInt(5000),
  /** Connections of the retry sweep's own pool, apart from the API's and the consumer's: notifications retried at once. */
  DELIVERY_RETRY_POOL_SIZE: env.positiveInt(2),
};

export type NotifierConfig = Readonly<z.infer<z.ZodObject<typeof notifierShape>>>;

export const loadServiceConfig = (source: NodeJS.ProcessEnv = process.env): NotifierConfig =>
  loadConfig(notifierShape, source);
