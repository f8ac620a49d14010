import { deviceInputSchema } from '@haru/contracts';
import { HaruError } from '@haru/errors';
import { jsonBody } from '@haru/http';
import { Hono } from 'hono';
import { caller, segment } from '../families/family-routes.ts';
import type { GatewayEnv, Services } from '../gateway-context.ts';
import { relay } from '../service-client.ts';

/** FCM registration tokens are opaque, but never empty or huge. */
const tokenPattern = /^[A-Za-z0-9_:.-]{1,4096}$/;

/** The caller's own devices, and a family's delivery log: owned by the notifier. */
export function deviceRoutes({ notifier }: Services) {
  return new Hono<GatewayEnv>()
    .put('/me/devices/:token', jsonBody(deviceInputSchema), async (c) => {
      const token = validToken(c.req.param('token'));
      const { platform } = c.req.valid('json');
      const path = `/internal/devices/${segment(token)}`;
      return relay(c, await notifier({ method: 'PUT', path, body: { uid: c.get('uid'), platform }, ...caller(c) }));
    })
    .delete('/me/devices/:token', async (c) => {
      const token = validToken(c.req.param('token'));
      const path = `/internal/devices/${segment(token)}?uid=${encodeURIComponent(c.get('uid'))}`;
      return relay(c, await notifier({ method: 'DELETE', path, ...caller(c) }));
    });
}

export function notificationRoutes({ answer, notifier }: Services) {
  return new Hono<GatewayEnv>().get('/:familyId/notifications', async (c) => {
    const familyId = segment(c.req.param('familyId'));
    // Only members see a family's delivery log; the answer service knows who they are.
    const membership = await answer({ method: 'GET', path: `/internal/families/${familyId}/membership`, ...caller(c) });
    if (!membership.ok) return relay(c, membership);
    return relay(
      c,
      await notifier({ method: 'GET', path: `/internal/families/${familyId}/notifications`, ...caller(c) }),
    );
  });
}

function validToken(token: string): string {
  if (!tokenPattern.test(token)) throw new HaruError('invalid', 'not a device registration token');
  return token;
}
