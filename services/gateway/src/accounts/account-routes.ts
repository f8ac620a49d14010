import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { z } from 'zod';
import type { GatewayEnv, Services } from '../gateway-context.ts';
import { jsonContent } from '../openapi/json-content.ts';
import { everyRouteProblems, problemResponses } from '../openapi/problem-responses.ts';
import { caller, forward } from '../service-calls.ts';
import { account, accountExport, examples } from './account-schemas.ts';

type AccountExport = z.infer<typeof accountExport>;

const getAccount = createRoute({
  method: 'get',
  path: '/me',
  operationId: 'getAccount',
  summary: "Read the caller's account: the families they belong to",
  description:
    'What an app signed in afresh (a new install, a new phone) needs to find its families: each with the ' +
    "caller's member id and role there. A family the caller left, or was removed from, is not listed.",
  tags: ['account'],
  responses: {
    200: { description: "The caller's account.", ...jsonContent(account, examples.account) },
    ...problemResponses(...everyRouteProblems),
  },
});

const exportAccount = createRoute({
  method: 'get',
  path: '/me/export',
  operationId: 'exportAccount',
  summary: 'Export everything haru holds about the caller',
  description:
    'Families and memberships (with roles), every answer with its question, devices and each push delivered to them.',
  tags: ['account'],
  responses: {
    200: { description: "The caller's data.", ...jsonContent(accountExport, examples.accountExport) },
    ...problemResponses(...everyRouteProblems),
  },
});

const deleteAccount = createRoute({
  method: 'delete',
  path: '/me',
  operationId: 'deleteAccount',
  summary: "Delete the caller's account and make their personal data unreadable everywhere",
  description:
    'The caller leaves every family, their devices are unregistered, and their name, answers, uid and device ' +
    'tokens become unreadable (the others see "a former member"). Idempotent: a retry answers 204 again. ' +
    'Refused (409, naming the families) while the caller is the last parent of a family with children.',
  tags: ['account'],
  responses: {
    204: { description: 'The account is deleted (also when there was nothing left to delete).' },
    ...problemResponses(...everyRouteProblems, 409),
  },
});

/** The caller's own account: the answer service holds the families, the notifier the devices. */
export function accountRoutes({ answer, notifier }: Services) {
  return new OpenAPIHono<GatewayEnv>()
    .openapi(getAccount, async (c) => {
      const memberships = await answer({ method: 'GET', path: '/internal/accounts/me', ...caller(c) });
      if (!memberships.ok) return forward(c, memberships);
      const { families } = (await memberships.json()) as Pick<z.infer<typeof account>, 'families'>;
      return c.json({ uid: c.get('uid'), families }, 200);
    })
    .openapi(exportAccount, async (c) => {
      const [families, devices] = await Promise.all([
        answer({ method: 'GET', path: '/internal/accounts/me/export', ...caller(c) }),
        notifier({ method: 'GET', path: '/internal/accounts/me/export', ...caller(c) }),
      ]);
      if (!families.ok) return forward(c, families);
      if (!devices.ok) return forward(c, devices);
      const held = (await families.json()) as Pick<AccountExport, 'families'>;
      const pushes = (await devices.json()) as Pick<AccountExport, 'devices' | 'deliveries'>;
      return c.json(
        {
          uid: c.get('uid'),
          exportedAt: new Date().toISOString(),
          families: held.families,
          devices: pushes.devices,
          deliveries: pushes.deliveries,
        },
        200,
      );
    })
    .openapi(deleteAccount, async (c) => {
      // The answer service first: it refuses the last parent (nothing changes then), and its
      // erasure is one transaction. The notifier's is idempotent: a retry after a failure
      // finishes it (the answer service then finds nothing left to erase).
      const erased = await answer({ method: 'POST', path: '/internal/accounts/me/erasure', ...caller(c) });
      if (!erased.ok) return forward<Response>(c, erased);
      const { members } = (await erased.json()) as { members: Array<{ familyId: string; memberId: string }> };
      const devices = await notifier({
        method: 'POST',
        path: '/internal/accounts/me/erasure',
        body: { members },
        ...caller(c),
      });
      if (!devices.ok) return forward<Response>(c, devices);
      return c.body(null, 204);
    });
}
