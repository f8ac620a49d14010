import { problemJson } from '@haru/http';
import { rateLimiter } from 'hono-rate-limiter';
import type { GatewayEnv } from '../gateway-context.ts';

/**
 * At most `limit` requests per member per minute (per gateway replica: each keeps its
 * counters in memory, so N replicas allow up to N × limit). Beyond it: 429 with
 * Retry-After and the RateLimit-* headers.
 */
export const rateLimitPerMember = ({ limit }: { limit: number }) =>
  rateLimiter<GatewayEnv>({
    windowMs: 60_000,
    limit,
    standardHeaders: 'draft-6',
    keyGenerator: (c) => c.get('uid'),
    handler: (c) =>
      problemJson(c, 'rate-limited', `at most ${limit} requests a minute; retry after Retry-After seconds`),
  });
