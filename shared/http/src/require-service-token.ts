import { timingSafeEqual } from 'node:crypto';
import { HaruError } from '@haru/errors';
import type { MiddlewareHandler } from 'hono';

export const serviceTokenHeader = 'x-haru-service-token';

/**
 * Guards a service's internal API: only callers presenting the gateway's service
 * credential get through (or, during a rotation, its `previousToken`). Compared in
 * constant time. With `acceptBearer`, the credential
 * may also come as `Authorization: Bearer …` (what Prometheus' `authorization` scrape
 * setting sends); the internal API itself takes only the header.
 */
export function requireServiceToken({
  token,
  previousToken,
  acceptBearer = false,
}: {
  token: string;
  previousToken?: string | undefined;
  acceptBearer?: boolean;
}): MiddlewareHandler {
  const accepted = [token, ...(previousToken ? [previousToken] : [])].map((value) => Buffer.from(value));
  const matches = (presented: string | undefined) => {
    const bytes = Buffer.from(presented ?? '');
    return accepted.some((expected) => bytes.length === expected.length && timingSafeEqual(bytes, expected));
  };
  return async function serviceToken(c, next) {
    const bearer = acceptBearer ? /^Bearer (.+)$/i.exec(c.req.header('authorization') ?? '')?.[1] : undefined;
    if (!matches(c.req.header(serviceTokenHeader)) && !(bearer !== undefined && matches(bearer))) {
      throw new HaruError('unauthenticated', 'this API is internal to haru');
    }
    await next();
  };
}
