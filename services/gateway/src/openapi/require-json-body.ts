import { HaruError } from '@haru/errors';
import type { MiddlewareHandler } from 'hono';

/** The media types haru reads as JSON (any other leaves the body unread). */
const jsonMediaType = /^application\/([\w.-]+\+)?json$/i;

/**
 * Refuses a body that is not sent as JSON with 415, before the route's body is validated
 * (a route that declares a JSON body lists it as its `middleware`).
 */
export const requireJsonBody: MiddlewareHandler = async function requireJsonBody(c, next) {
  const mediaType = (c.req.header('content-type')?.split(';')[0] ?? '').trim();
  if (!jsonMediaType.test(mediaType))
    throw new HaruError('unsupported-media-type', 'send the body as application/json');
  await next();
};
