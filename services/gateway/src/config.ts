import { env, loadConfig } from '@haru/config';
import { z } from 'zod';

/** A web app's origin as a browser sends it: scheme, host and port only (`https://app.example.com`). */
const webOrigin = z.string().refine((origin) => URL.canParse(origin) && new URL(origin).origin === origin, {
  error: (issue) => `each must be an origin such as https://app.example.com, not ${String(issue.input)}`,
});

export const loadServiceConfig = (source: NodeJS.ProcessEnv = process.env) =>
  loadConfig(
    {
      ...env.logging,
      ...env.internalApi,
      ...env.http(8080),
      ANSWER_URL: env.serviceUrl('http://127.0.0.1:8081'),
      PROJECTION_URL: env.serviceUrl('http://127.0.0.1:8082'),
      SCHEDULER_URL: env.serviceUrl('http://127.0.0.1:8083'),
      NOTIFIER_URL: env.serviceUrl('http://127.0.0.1:8084'),
      /** The Firebase project whose ID tokens are accepted (audience and issuer). */
      FIREBASE_PROJECT_ID: z.string().min(1),
      /** Request bodies above this size are refused with 413. */
      MAX_BODY_BYTES: env.positiveInt(16 * 1024),
      /** Requests one member may make per minute (per gateway replica). */
      RATE_LIMIT_PER_MINUTE: env.positiveInt(120),
      /** Origins of the web apps whose pages may call the app API (CORS), comma-separated; none by default. */
      CORS_ALLOWED_ORIGINS: z
        .string()
        .default('')
        .transform((list) =>
          list
            .split(',')
            .map((origin) => origin.trim())
            .filter(Boolean),
        )
        .pipe(z.array(webOrigin)),
    },
    source,
  );

export type GatewayConfig = ReturnType<typeof loadServiceConfig>;
