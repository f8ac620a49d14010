import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { GatewayEnv, Services } from '../gateway-context.ts';
import { jsonContent } from '../openapi/json-content.ts';
import { bodyProblems, everyRouteProblems, problemResponses } from '../openapi/problem-responses.ts';
import { requireJsonBody } from '../openapi/require-json-body.ts';
import { caller, forward, segment } from '../service-calls.ts';
import { deviceInput, devicePath, examples } from './device-schemas.ts';

const registerDevice = createRoute({
  method: 'put',
  path: '/me/devices/{token}',
  operationId: 'registerDevice',
  summary: "Register one of the caller's devices for pushes",
  description: 'Idempotent: registering a device again changes nothing.',
  tags: ['devices'],
  middleware: [requireJsonBody] as const,
  request: { params: devicePath, body: { required: true, ...jsonContent(deviceInput, examples.deviceInput) } },
  responses: {
    204: { description: 'The device gets pushes.' },
    ...problemResponses(...everyRouteProblems, ...bodyProblems),
  },
});

const removeDevice = createRoute({
  method: 'delete',
  path: '/me/devices/{token}',
  operationId: 'removeDevice',
  summary: "Stop pushes to one of the caller's devices",
  tags: ['devices'],
  request: { params: devicePath },
  responses: {
    204: { description: 'The device gets no more pushes (also when it had none).' },
    ...problemResponses(...everyRouteProblems, 400),
  },
});

/** The caller's own devices: owned by the notifier. */
export function deviceRoutes({ notifier }: Services) {
  return new OpenAPIHono<GatewayEnv>()
    .openapi(registerDevice, async (c) => {
      const { token } = c.req.valid('param');
      const { platform } = c.req.valid('json');
      const path = `/internal/devices/${segment(token)}`;
      // A route with a bodiless success may answer any Response: nothing to infer.
      const body = { uid: c.get('uid'), platform };
      // An upsert by token: sent twice, the same device, the same 204.
      return forward<Response>(c, await notifier({ method: 'PUT', path, body, sameWhenRepeated: true, ...caller(c) }));
    })
    .openapi(removeDevice, async (c) => {
      const { token } = c.req.valid('param');
      const path = `/internal/devices/${segment(token)}?uid=${encodeURIComponent(c.get('uid'))}`;
      // A 204 whether the device was registered or already gone.
      return forward<Response>(c, await notifier({ method: 'DELETE', path, sameWhenRepeated: true, ...caller(c) }));
    });
}
