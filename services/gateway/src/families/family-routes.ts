import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { GatewayEnv, Services } from '../gateway-context.ts';
import { jsonContent } from '../openapi/json-content.ts';
import { familyPath } from '../openapi/path-parameters.ts';
import { bodyProblems, everyRouteProblems, problemResponses } from '../openapi/problem-responses.ts';
import { requireJsonBody } from '../openapi/require-json-body.ts';
import { relay } from '../service-client.ts';
import {
  createdFamily,
  createFamilyInput,
  examples,
  family,
  joinedFamily,
  joinFamilyInput,
  schedule,
  scheduleInput,
} from './family-schemas.ts';

const createFamily = createRoute({
  method: 'post',
  path: '/',
  operationId: 'createFamily',
  summary: 'Create a family, with the caller as its first parent',
  description:
    'Answers a child invite code to share. With an `Idempotency-Key`, a retry with the same key and body gets the same family; the same key with another body is 422.',
  tags: ['families'],
  middleware: [requireJsonBody] as const,
  // Declared for the document only: the answer service checks the key (it keeps the responses).
  parameters: [
    {
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: 'Makes retries safe: 1–255 visible ASCII characters, new for each family to create.',
      schema: { type: 'string', minLength: 1, maxLength: 255 },
      example: 'create-family-7f3a',
    },
  ],
  request: { body: { required: true, ...jsonContent(createFamilyInput, examples.createFamily) } },
  responses: {
    201: { description: 'The family was created.', ...jsonContent(createdFamily, examples.createdFamily) },
    ...problemResponses(...everyRouteProblems, ...bodyProblems, 422),
  },
});

const joinFamily = createRoute({
  method: 'post',
  path: '/join',
  operationId: 'joinFamily',
  summary: 'Join a family with an invite code',
  description: 'Joining again with the same account is 200 with the same member id.',
  tags: ['families'],
  middleware: [requireJsonBody] as const,
  request: { body: { required: true, ...jsonContent(joinFamilyInput, examples.joinFamily) } },
  responses: {
    200: { description: 'The caller was already a member.', ...jsonContent(joinedFamily, examples.joinedFamily) },
    201: { description: 'The caller joined.', ...jsonContent(joinedFamily, examples.joinedFamily) },
    ...problemResponses(...everyRouteProblems, ...bodyProblems, 404),
  },
});

const getFamily = createRoute({
  method: 'get',
  path: '/{familyId}',
  operationId: 'getFamily',
  summary: 'Read a family: its schedule and members',
  tags: ['families'],
  request: { params: familyPath },
  responses: {
    200: { description: 'The family.', ...jsonContent(family, examples.family) },
    ...problemResponses(...everyRouteProblems, 404),
  },
});

const changeSchedule = createRoute({
  method: 'put',
  path: '/{familyId}/schedule',
  operationId: 'changeSchedule',
  summary: "Change the family's push time, time zone and quiet hours (parents only)",
  description:
    'Takes effect from the next occurrence; a day is never lost or doubled. Quiet hours left out are the default 22:00–08:00; null means none.',
  tags: ['families'],
  middleware: [requireJsonBody] as const,
  request: { params: familyPath, body: { required: true, ...jsonContent(scheduleInput, examples.scheduleInput) } },
  responses: {
    200: { description: 'The schedule as it now is.', ...jsonContent(schedule, examples.schedule) },
    ...problemResponses(...everyRouteProblems, ...bodyProblems, 403, 404),
  },
});

/** Families, members and schedules: owned by the answer service. */
export function familyRoutes({ answer }: Services) {
  return new OpenAPIHono<GatewayEnv>()
    .openapi(createFamily, async (c) => {
      const body = c.req.valid('json');
      const key = c.req.header('idempotency-key');
      const headers: Record<string, string> = key === undefined ? {} : { 'idempotency-key': key };
      return relay(c, await answer({ method: 'POST', path: '/internal/families', body, headers, ...caller(c) }));
    })
    .openapi(joinFamily, async (c) => {
      const body = c.req.valid('json');
      return relay(c, await answer({ method: 'POST', path: '/internal/families/join', body, ...caller(c) }));
    })
    .openapi(getFamily, async (c) => {
      const path = `/internal/families/${segment(c.req.valid('param').familyId)}`;
      return relay(c, await answer({ method: 'GET', path, ...caller(c) }));
    })
    .openapi(changeSchedule, async (c) => {
      const body = c.req.valid('json');
      const path = `/internal/families/${segment(c.req.valid('param').familyId)}/schedule`;
      return relay(c, await answer({ method: 'PUT', path, body, ...caller(c) }));
    });
}

export const caller = (c: { get(key: 'uid' | 'correlationId'): string }) => ({
  uid: c.get('uid'),
  correlationId: c.get('correlationId'),
});

/** A path parameter, safely placed into an internal URL. */
export const segment = (value: string): string => encodeURIComponent(value);
