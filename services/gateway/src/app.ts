import { healthRoutes, observedApp, problemHandler } from '@haru/http';
import type { Logger, Metrics } from '@haru/observability';
import { OpenAPIHono } from '@hono/zod-openapi';
import { Scalar } from '@scalar/hono-api-reference';
import type { Auth } from 'firebase-admin/auth';
import { accountRoutes } from './accounts/account-routes.ts';
import { allowWebOrigins } from './allow-web-origins.ts';
import { rateLimitPerMember } from './auth/rate-limit-per-member.ts';
import { requireFirebaseUser } from './auth/require-firebase-user.ts';
import { deviceRoutes } from './devices/device-routes.ts';
import { notificationRoutes } from './devices/notification-routes.ts';
import { familyRoutes } from './families/family-routes.ts';
import type { GatewayEnv, Services } from './gateway-context.ts';
import { limitBody } from './limit-body.ts';
import { apiDocument } from './openapi/api-document.ts';
import { refuseInvalidInput } from './openapi/refuse-invalid-input.ts';
import { questionRoutes } from './questions/question-routes.ts';
import { refuseUnroutedRequests } from './refuse-unrouted-requests.ts';

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
  /** Origins of the web apps whose pages may call the API from a browser; none, no CORS. */
  webOrigins?: readonly string[];
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
  webOrigins = [],
  ready,
}: GatewayDeps) {
  // Every app route is declared with createRoute (docs/conventions.md): the document is made from them.
  const v1 = new OpenAPIHono<GatewayEnv>({ defaultHook: refuseInvalidInput }).basePath('/v1');
  v1.use(requireFirebaseUser({ auth })).use(rateLimitPerMember({ limit: rateLimitPerMinute }));
  const api = v1
    .route('/families', familyRoutes(services))
    .route('/families', questionRoutes(services))
    .route('/families', notificationRoutes(services))
    .route('/', deviceRoutes(services))
    .route('/', accountRoutes(services));
  const document = apiDocument(api);

  const app = observedApp<GatewayEnv>({ logger, metrics, internalApiToken, previousInternalApiToken })
    .use(allowWebOrigins(webOrigins))
    .use(limitBody(maxBodyBytes))
    .route('/', healthRoutes({ ready }))
    .get('/openapi.json', (c) => c.json(document))
    .get('/docs', Scalar({ url: '/openapi.json', pageTitle: 'haru app API' }))
    .route('/', api);
  app.notFound(refuseUnroutedRequests(app.routes));
  app.onError(problemHandler(logger));
  return app;
}
