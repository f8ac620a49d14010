import { callerUidHeader } from '@haru/contracts';
import { HaruError } from '@haru/errors';
import type { MiddlewareHandler } from 'hono';

export type CallerVariables = { uid: string };

/**
 * Internal routes act for an app user whose identity the gateway verified; it passes
 * the uid in a header (behind the service credential, so it cannot be forged).
 */
export function requireCaller(): MiddlewareHandler<{ Variables: CallerVariables }> {
  return async function caller(c, next) {
    const uid = c.req.header(callerUidHeader);
    if (!uid || uid.length > 128) throw new HaruError('unauthenticated', 'the caller is not identified');
    c.set('uid', uid);
    await next();
  };
}
