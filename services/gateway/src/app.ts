import { correlationIdHeader, correlationIdOf } from '@haru/contracts';
import { HaruError } from '@haru/errors';
import { healthRoutes, problemHandler, problemJson } from '@haru/http';
import type { Logger } from '@haru/observability';
import type { Auth } from 'firebase-admin/auth';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { rateLimitPerMember } from './auth/rate-limit-per-member.ts';
import { requireFirebaseUser } from './auth/require-firebase-user.ts';
import { deviceRoutes, notificationRoutes } from './devices/device-routes.ts';
import { familyRoutes } from './families/family-routes.ts';
import type { GatewayEnv, Services } from './gateway-context.ts';
import { openApiDocument } from './openapi.ts';
import { questionRoutes } from './questions/question-routes.ts';

export interface GatewayDeps {
  auth: Auth;
  services: Services;
  logger: Logger;
  maxBodyBytes: number;
  /** Requests a member may make per minute. */
  rateLimitPerMinute: number;
  /** Readiness: whether the services behind the gateway answer. */
  ready: () => Promise<boolean>;
}

/** The app's only door: authenticates, validates, and routes to the services. */
export function buildApp({ auth, services, logger, maxBodyBytes, rateLimitPerMinute, ready }: GatewayDeps) {
  const v1 = new Hono<GatewayEnv>()
    .use(requireFirebaseUser({ auth }))
    .use(rateLimitPerMember({ limit: rateLimitPerMinute }))
    .route('/families', familyRoutes(services))
    .route('/families', questionRoutes(services))
    .route('/families', notificationRoutes(services))
    .route('/', deviceRoutes(services));

  const app = new Hono<GatewayEnv>()
    .use(async function correlation(c, next) {
      const correlationId = correlationIdOf(c.req.header(correlationIdHeader));
      c.set('correlationId', correlationId);
      await next();
      c.header(correlationIdHeader, correlationId);
    })
    .use(
      bodyLimit({
        maxSize: maxBodyBytes,
        onError: () => {
          throw new HaruError('too-large', `send at most ${maxBodyBytes} bytes`);
        },
      }),
    )
    .route('/', healthRoutes({ ready }))
    .get('/openapi.json', (c) => c.json(openApiDocument))
    .route('/v1', v1);
  app.notFound((c) => problemJson(c, 'not-found', 'no such route'));
  app.onError(problemHandler(logger));
  return app;
}
