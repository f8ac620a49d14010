import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { GatewayEnv, Services } from '../gateway-context.ts';
import { jsonContent } from '../openapi/json-content.ts';
import { familyPath } from '../openapi/path-parameters.ts';
import { everyRouteProblems, problemResponses } from '../openapi/problem-responses.ts';
import { caller, forward, segment } from '../service-calls.ts';
import { examples, notificationLog } from './device-schemas.ts';

const listNotifications = createRoute({
  method: 'get',
  path: '/{familyId}/notifications',
  operationId: 'listNotifications',
  summary: "Read the family's delivery log: each push and whether each member got it",
  tags: ['notifications'],
  request: { params: familyPath },
  responses: {
    200: { description: 'The delivery log.', ...jsonContent(notificationLog, examples.notificationLog) },
    ...problemResponses(...everyRouteProblems, 404),
  },
});

/** A family's delivery log: owned by the notifier, shown to the family's members only. */
export function notificationRoutes({ answer, notifier }: Services) {
  return new OpenAPIHono<GatewayEnv>().openapi(listNotifications, async (c) => {
    const familyId = segment(c.req.valid('param').familyId);
    // Only members see a family's delivery log; the answer service knows who they are.
    const membership = await answer({ method: 'GET', path: `/internal/families/${familyId}/membership`, ...caller(c) });
    if (!membership.ok) return forward(c, membership);
    return forward(
      c,
      await notifier({ method: 'GET', path: `/internal/families/${familyId}/notifications`, ...caller(c) }),
    );
  });
}
