import { createFamilyInputSchema, joinFamilyInputSchema, scheduleInputSchema } from '@haru/contracts';
import { jsonBody } from '@haru/http';
import { Hono } from 'hono';
import type { GatewayEnv, Services } from '../gateway-context.ts';
import { relay } from '../service-client.ts';

/** Families, members and schedules: owned by the answer service. */
export function familyRoutes({ answer }: Services) {
  return new Hono<GatewayEnv>()
    .post('/', jsonBody(createFamilyInputSchema), async (c) => {
      const body = c.req.valid('json');
      const key = c.req.header('idempotency-key');
      const headers: Record<string, string> = key === undefined ? {} : { 'idempotency-key': key };
      return relay(c, await answer({ method: 'POST', path: '/internal/families', body, headers, ...caller(c) }));
    })
    .post('/join', jsonBody(joinFamilyInputSchema), async (c) => {
      const body = c.req.valid('json');
      return relay(c, await answer({ method: 'POST', path: '/internal/families/join', body, ...caller(c) }));
    })
    .get('/:familyId', async (c) =>
      relay(
        c,
        await answer({ method: 'GET', path: `/internal/families/${segment(c.req.param('familyId'))}`, ...caller(c) }),
      ),
    )
    .put('/:familyId/schedule', jsonBody(scheduleInputSchema), async (c) => {
      const body = c.req.valid('json');
      const path = `/internal/families/${segment(c.req.param('familyId'))}/schedule`;
      return relay(c, await answer({ method: 'PUT', path, body, ...caller(c) }));
    });
}

export const caller = (c: { get(key: 'uid' | 'correlationId'): string }) => ({
  uid: c.get('uid'),
  correlationId: c.get('correlationId'),
});

/** A path parameter, safely placed into an internal URL. */
export const segment = (value: string): string => encodeURIComponent(value);
