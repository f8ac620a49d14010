import { Hono } from 'hono';

/**
 * Liveness (`/healthz`: the process answers) and readiness (`/readyz`: its
 * dependencies answer too), for orchestrators and the local stack.
 */
export function healthRoutes({ ready }: { ready: () => Promise<boolean> }) {
  return new Hono()
    .get('/healthz', (c) => c.json({ status: 'ok' }))
    .get('/readyz', async (c) => {
      const ok = await ready().catch(() => false);
      return c.json({ status: ok ? 'ready' : 'not ready' }, ok ? 200 : 503);
    });
}
