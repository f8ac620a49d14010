import { problemJson } from '@haru/http';
import { rateLimiter } from 'hono-rate-limiter';
import type { GatewayEnv } from '../gateway-context.ts';

/**
 * Invite codes are short enough to guess at, given enough tries: a member whose joins fail
 * `limit` times within `windowMs` (unknown, expired or replaced codes, refused roles: 404 and
 * 409) is answered 429 until the window passes. Other answers do not count. Per gateway
 * replica, in memory, like `rateLimitPerMember`.
 */
export const limitFailedJoins = ({ limit = 10, windowMs = 10 * 60_000 } = {}) =>
  rateLimiter<GatewayEnv>({
    windowMs,
    limit,
    standardHeaders: 'draft-6',
    skipSuccessfulRequests: true,
    // Only a refused code or role counts: a join that failed for haru's trouble (503) is no guess.
    requestWasSuccessful: (c) => c.res.status !== 404 && c.res.status !== 409,
    keyGenerator: (c) => c.get('uid'),
    handler: (c) => problemJson(c, 'rate-limited', `too many failed joins; retry after Retry-After seconds`),
  });
