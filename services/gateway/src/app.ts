import { healthRoutes, observedApp, problemHandler, problemJson } from '@haru/http';
import type { Logger, Metrics } from '@haru/observability';
import type { Auth } from 'firebase-admin/auth';
import { Hono } from 'hono';
import { rateLimitPerMember } from './auth/rate-limit-per-member.ts';
import { requireFirebaseUser } from './auth/require-firebase-user.ts';
import { deviceRoutes, notificationRoutes } from './devices/device-routes.ts';
import { familyRoutes } from './families/family-routes.ts';
import type { GatewayEnv, Services } from './gateway-context.ts';
import { limitBody } from './limit-body.ts';
import { openApiDocument } from './openapi.ts';
import { questionRoutes } from './questions/question-routes.ts';

export interface GatewayDeps {
  auth: Auth;
  services: Services;
  logger: Logger;
  metrics: Metrics;
  /** The internal service credential; `/metrics` requires it here too. */
  internalApiToken: string;
  /** During a rotation, the credential being replaced, still accepted at /metrics. */
  previousInternalApiToken?: string | undefined;
  maxBodyBytes: number;
  /** Requests a member may make per minute. */
  rateLimitPerMinute: number;
  /** Readiness: whether the services behind the gateway answer. */
  ready: () => Promise<boolean>;
}

/**
 * The app's only door: authenticates, validates, and routes to the services. Each request
 * gets a correlation id (the app's `x-correlation-id` if well-formed, else a new one) that
 * goes with every internal call, into every event it causes, and into the logs.
 */
export function buildApp({
  auth,
  services,
  logger,
  metrics,
  internalApiToken,
  previousInternalApiToken,
  maxBodyBytes,
  rateLimitPerMinute,
  ready,
}: GatewayDeps) {
  const v1 = new Hono<GatewayEnv>()
    .use(requireFirebaseUser({ auth }))
    .use(rateLimitPerMember({ limit: rateLimitPerMinute }))
    .route('/families', familyRoutes(services))
    .route('/families', questionRoutes(services))
    .route('/families', notificationRoutes(services))
    .route('/', deviceRoutes(services));

  const app = observedApp<GatewayEnv>({ logger, metrics, internalApiToken, previousInternalApiToken })
    .use(limitBody(maxBodyBytes))
    .route('/', healthRoutes({ ready }))
    .get('/openapi.json', (c) => c.json(openApiDocument))
    .route('/v1', v1);
  app.notFound((c) => problemJson(c, 'not-found', 'no such route'));
  app.onError(problemHandler(logger));
  return app;
}
