import { requireJsonMediaType } from '@haru/http';
import type { MiddlewareHandler } from 'hono';

/**
 * Refuses a body that is not sent as JSON with 415, before the route's body is validated
 * (a route that declares a JSON body lists it as its `middleware`).
 */
export const requireJsonBody: MiddlewareHandler = async function requireJsonBody(c, next) {
  requireJsonMediaType(c.req.header('content-type'));
  await next();
};
