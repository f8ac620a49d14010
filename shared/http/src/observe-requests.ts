import { correlationIdHeader, correlationIdOf } from '@haru/contracts';
import { durationBuckets, histogram, type Logger, type Metrics } from '@haru/observability';
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';

export type CorrelationVariables = { correlationId: string };

/** Polled by orchestrators and scrapers: logged at debug, so that info stays readable. */
const pollingRoutes = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * What every request leaves behind:
 * - its correlation id: the one presented in `x-correlation-id` if well-formed, else a new
 *   one; on the context (`correlationId`) and echoed in the response;
 * - its duration in `haru_http_request_duration_seconds` by method, route pattern (never
 *   the raw path, so no ids become labels) and status;
 * - one log line with the same, and the correlation id.
 */
export function observeRequests({
  logger,
  metrics,
}: {
  logger: Logger;
  metrics: Metrics;
}): MiddlewareHandler<{ Variables: CorrelationVariables }> {
  const durations = histogram(metrics, {
    name: 'haru_http_request_duration_seconds',
    help: 'HTTP requests served, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'],
    buckets: durationBuckets,
  });
  return async function observe(c, next) {
    const started = performance.now();
    const correlationId = correlationIdOf(c.req.header(correlationIdHeader));
    c.set('correlationId', correlationId);
    // Set before the response exists, so that every response made through the context
    // carries it; set on a finished response, it would make the Node adapter copy that
    // response and stream its body, a cost on every request.
    c.header(correlationIdHeader, correlationId);
    // Errors become responses inside (problemHandler), so the status is known here.
    await next();
    const seconds = (performance.now() - started) / 1000;
    const route = routePatternOf(c);
    const { method } = c.req;
    const status = c.res.status;
    durations.observe({ method, route, status: String(status) }, seconds);
    const line = { method, route, status, durationMs: Math.round(seconds * 1000), correlationId };
    if (pollingRoutes.has(route)) logger.debug(line, 'request');
    else logger.info(line, 'request');
  };
}

/** The pattern of the endpoint that matched (e.g. `/v1/families/:familyId`), or `unmatched`. */
const routePatternOf = (c: Context): string =>
  matchedRoutes(c).findLast((route) => route.method !== 'ALL')?.path ?? 'unmatched';
