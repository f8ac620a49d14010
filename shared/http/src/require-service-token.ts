import { timingSafeEqual } from 'node:crypto';
import { HaruError } from '@haru/errors';
import type { MiddlewareHandler } from 'hono';

export const serviceTokenHeader = 'x-haru-service-token';

/**
 * Guards a service's internal API: only callers presenting the gateway's service
 * credential get through. Compared in constant time.
 */
export function requireServiceToken({ token }: { token: string }): MiddlewareHandler {
  const expected = Buffer.from(token);
  return async function serviceToken(c, next) {
    const presented = Buffer.from(c.req.header(serviceTokenHeader) ?? '');
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      throw new HaruError('unauthenticated', 'this API is internal to haru');
    }
    await next();
  };
}
