import { createLogger, createMetrics } from '@haru/observability';
import type { Auth } from 'firebase-admin/auth';
import { buildApp } from '../app.ts';

/**
 * The OpenAPI document the gateway serves at `/openapi.json`, from a gateway built in-process
 * (the document depends on the routes alone: nothing is called).
 */
export async function gatewayDocument(): Promise<Record<string, unknown>> {
  const app = buildApp({
    auth: {} as Auth,
    services: {} as never,
    logger: createLogger('gateway', 'silent'),
    metrics: createMetrics('gateway'),
    internalApiToken: 'not-used-by-the-document',
    maxBodyBytes: 16 * 1024,
    rateLimitPerMinute: 120,
    ready: async () => true,
  });
  return (await (await app.request('/openapi.json')).json()) as Record<string, unknown>;
}
