import { serveApp, serviceClient } from '@haru/http';
import { createLogger, createMetrics } from '@haru/observability';
import { initializeApp } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import { buildApp } from './app.ts';
import type { GatewayConfig } from './config.ts';

/** Starts the gateway; it holds no state of its own. */
export async function startService(config: GatewayConfig) {
  const logger = createLogger('gateway', config.LOG_LEVEL);
  // With FIREBASE_AUTH_EMULATOR_HOST set, firebase-admin accepts the emulator's tokens.
  const firebase = initializeApp({ projectId: config.FIREBASE_PROJECT_ID }, `gateway-${crypto.randomUUID()}`);
  const services = {
    answer: serviceClient(config.ANSWER_URL, config.INTERNAL_API_TOKEN),
    projection: serviceClient(config.PROJECTION_URL, config.INTERNAL_API_TOKEN),
    notifier: serviceClient(config.NOTIFIER_URL, config.INTERNAL_API_TOKEN),
  };
  const backends = [config.ANSWER_URL, config.PROJECTION_URL, config.NOTIFIER_URL, config.SCHEDULER_URL];
  const ready = async () => {
    const answers = await Promise.all(
      backends.map((url) => fetch(new URL('/healthz', url), { signal: AbortSignal.timeout(2000) }).catch(() => null)),
    );
    return answers.every((response) => response?.ok);
  };
  const app = buildApp({
    auth: getAuth(firebase),
    services,
    logger,
    metrics: createMetrics('gateway'),
    internalApiToken: config.INTERNAL_API_TOKEN,
    previousInternalApiToken: config.INTERNAL_API_TOKEN_PREVIOUS,
    maxBodyBytes: config.MAX_BODY_BYTES,
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
    webOrigins: config.CORS_ALLOWED_ORIGINS,
    ready,
  });
  const server = await serveApp(app, { port: config.PORT, host: config.HOST });
  logger.info({ url: server.url }, 'gateway ready');
  const stops = [server.close];
  return {
    url: server.url,
    logger,
    stops,
    async stop() {
      for (const stop of stops) await stop();
    },
  };
}
