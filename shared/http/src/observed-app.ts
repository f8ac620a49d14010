import type { Logger, Metrics } from '@haru/observability';
import { Hono } from 'hono';
import { type CorrelationVariables, observeRequests } from './observe-requests.ts';
import { requireServiceToken } from './require-service-token.ts';

/**
 * Where every haru HTTP app (each service's, and the gateway's) starts: each request
 * observed (correlation id, duration, log line; see `observeRequests`), and the process's
 * metrics at `GET /metrics` in Prometheus' text format. The gateway faces the internet,
 * so `/metrics` takes the internal service credential everywhere, as the header or as a
 * bearer token.
 */
export function observedApp<Env extends { Variables: CorrelationVariables }>({
  logger,
  metrics,
  internalApiToken,
  previousInternalApiToken,
}: {
  logger: Logger;
  metrics: Metrics;
  internalApiToken: string;
  previousInternalApiToken?: string | undefined;
}) {
  return new Hono<Env>()
    .use(observeRequests({ logger, metrics }))
    .get(
      '/metrics',
      requireServiceToken({ token: internalApiToken, previousToken: previousInternalApiToken, acceptBearer: true }),
      async (c) => c.body(await metrics.metrics(), 200, { 'content-type': metrics.contentType }),
    );
}
