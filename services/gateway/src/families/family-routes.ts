import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { limitFailedJoins } from '../auth/limit-failed-joins.ts';
import type { GatewayEnv, Services } from '../gateway-context.ts';
import { jsonContent } from '../openapi/json-content.ts';
import { familyIdParameter, familyPath, memberIdParameter } from '../openapi/path-parameters.ts';
import { bodyProblems, everyRouteProblems, problemResponses } from '../openapi/problem-responses.ts';
import { requireJsonBody } from '../openapi/require-json-body.ts';
import { caller, forward, segment } from '../service-calls.ts';
import {
  createdFamily,
  createFamilyInput,
  examples,
  family,
  invite,
  inviteInput,
  joinedFamily,
  joinFamilyInput,
  member,
  memberSettings,
  preferencesInput,
  renameFamilyInput,
  roleChangeInput,
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
  summary: 'Join a family with an invite code, in the role the code grants',
  description:
    'The member gets the role of the invite (the code from family creation is a child invite). A `member.role` may be stated: one that disagrees with the code is 409, never granted. An unknown, expired or replaced code is 404 alike, and a caller whose joins keep failing is answered 429 for a while. Joining again with the same account is 200 with the same member id.',
  tags: ['families'],
  middleware: [requireJsonBody, limitFailedJoins()] as const,
  request: { body: { required: true, ...jsonContent(joinFamilyInput, examples.joinFamily) } },
  responses: {
    200: { description: 'The caller was already a member.', ...jsonContent(joinedFamily, examples.joinedFamily) },
    201: { description: 'The caller joined.', ...jsonContent(joinedFamily, examples.joinedFamily) },
    ...problemResponses(...everyRouteProblems, ...bodyProblems, 404, 409),
  },
});

const getFamily = createRoute({
  method: 'get',
  path: '/{familyId}',
  operationId: 'getFamily',
  summary: "Read a family: its schedule, its members' roles, and the caller's own settings",
  tags: ['families'],
  request: { params: familyPath },
  responses: {
    200: { description: 'The family.', ...jsonContent(family, examples.family) },
    ...problemResponses(...everyRouteProblems, 404),
  },
});

const renameFamily = createRoute({
  method: 'patch',
  path: '/{familyId}',
  operationId: 'renameFamily',
  summary: 'Rename the family (parents only)',
  description: 'The same name again is 200 and changes nothing.',
  tags: ['families'],
  middleware: [requireJsonBody] as const,
  request: {
    params: familyPath,
    body: { required: true, ...jsonContent(renameFamilyInput, examples.renameFamilyInput) },
  },
  responses: {
    200: { description: 'The family as the caller now reads it.', ...jsonContent(family, examples.family) },
    ...problemResponses(...everyRouteProblems, ...bodyProblems, 403, 404),
  },
});

const changeSchedule = createRoute({
  method: 'put',
  path: '/{familyId}/schedule',
  operationId: 'changeSchedule',
  summary: "Change the family's push time, time zone, quiet hours and reminder offset (parents only)",
  description:
    'The schedule is stated whole: quiet hours left out are the default 22:00–08:00 (null means none), a reminder offset left out the default 180 minutes. A new push time takes effect from the next occurrence; a day is never lost or doubled. A new reminder offset moves the reminders not yet on their way, those of questions already open included.',
  tags: ['families'],
  middleware: [requireJsonBody] as const,
  request: { params: familyPath, body: { required: true, ...jsonContent(scheduleInput, examples.scheduleInput) } },
  responses: {
    200: { description: 'The schedule as it now is.', ...jsonContent(schedule, examples.schedule) },
    ...problemResponses(...everyRouteProblems, ...bodyProblems, 403, 404),
  },
});

const createInvite = createRoute({
  method: 'post',
  path: '/{familyId}/invites',
  operationId: 'createInvite',
  summary: 'Issue an invite code for a role (parents only); it replaces that role’s previous code',
  description: 'The code lasts 7 days (unless the deployment says otherwise); share it with whoever is to join.',
  tags: ['families'],
  middleware: [requireJsonBody] as const,
  request: { params: familyPath, body: { required: true, ...jsonContent(inviteInput, examples.inviteInput) } },
  responses: {
    201: { description: 'The new code.', ...jsonContent(invite, examples.invite) },
    ...problemResponses(...everyRouteProblems, ...bodyProblems, 403, 404),
  },
});

const changeMyPreferences = createRoute({
  method: 'patch',
  path: '/{familyId}/members/me',
  operationId: 'changeMyPreferences',
  summary: 'Change the caller’s name, language or muted pushes in this family',
  description:
    'Fields left out stay as they are. The language and the muted kinds apply from the next push on; today’s question cannot be muted.',
  tags: ['members'],
  middleware: [requireJsonBody] as const,
  request: {
    params: familyPath,
    body: { required: true, ...jsonContent(preferencesInput, examples.preferencesInput) },
  },
  responses: {
    200: {
      description: 'The caller’s settings as they now are.',
      ...jsonContent(memberSettings, examples.memberSettings),
    },
    ...problemResponses(...everyRouteProblems, ...bodyProblems, 404),
  },
});

const leaveFamily = createRoute({
  method: 'delete',
  path: '/{familyId}/members/me',
  operationId: 'leaveFamily',
  summary: 'Leave the family',
  description:
    'The caller stops blocking completion, gets no more of its pushes and no longer sees it (404); their past answers stay in the archive. The last parent cannot leave while children remain (409).',
  tags: ['members'],
  request: { params: familyPath },
  responses: {
    204: { description: 'The caller left.' },
    ...problemResponses(...everyRouteProblems, 404, 409),
  },
});

const removeMember = createRoute({
  method: 'delete',
  path: '/{familyId}/members/{memberId}',
  operationId: 'removeMember',
  summary: 'Remove a member from the family (parents only)',
  description:
    'As if the member had left. Removing someone already removed is 204 again; the last parent cannot be removed while children remain (409).',
  tags: ['members'],
  request: { params: z.object({ familyId: familyIdParameter, memberId: memberIdParameter }) },
  responses: {
    204: { description: 'The member is no longer in the family.' },
    ...problemResponses(...everyRouteProblems, 403, 404, 409),
  },
});

const changeRole = createRoute({
  method: 'patch',
  path: '/{familyId}/members/{memberId}',
  operationId: 'changeRole',
  summary: 'Give a member another role (parents only)',
  description:
    'A parent may make a child a parent, or a parent (themselves included) a child. A family keeps at least one parent (409). The same role again is 200 and changes nothing.',
  tags: ['members'],
  middleware: [requireJsonBody] as const,
  request: {
    params: z.object({ familyId: familyIdParameter, memberId: memberIdParameter }),
    body: { required: true, ...jsonContent(roleChangeInput, examples.roleChangeInput) },
  },
  responses: {
    200: { description: 'The member with their role as it now is.', ...jsonContent(member, examples.member) },
    ...problemResponses(...everyRouteProblems, ...bodyProblems, 403, 404, 409),
  },
});

/** Families, members and schedules: owned by the answer service. */
export function familyRoutes({ answer }: Services) {
  return (
    new OpenAPIHono<GatewayEnv>()
      .openapi(createFamily, async (c) => {
        const body = c.req.valid('json');
        const key = c.req.header('idempotency-key');
        const headers: Record<string, string> = key === undefined ? {} : { 'idempotency-key': key };
        return forward(c, await answer({ method: 'POST', path: '/internal/families', body, headers, ...caller(c) }));
      })
      .openapi(joinFamily, async (c) => {
        const body = c.req.valid('json');
        return forward(c, await answer({ method: 'POST', path: '/internal/families/join', body, ...caller(c) }));
      })
      .openapi(getFamily, async (c) => {
        const path = `/internal/families/${segment(c.req.valid('param').familyId)}`;
        return forward(c, await answer({ method: 'GET', path, ...caller(c) }));
      })
      .openapi(renameFamily, async (c) => {
        const body = c.req.valid('json');
        const path = `/internal/families/${segment(c.req.valid('param').familyId)}`;
        return forward(c, await answer({ method: 'PATCH', path, body, ...caller(c) }));
      })
      .openapi(changeSchedule, async (c) => {
        const body = c.req.valid('json');
        const path = `/internal/families/${segment(c.req.valid('param').familyId)}/schedule`;
        return forward(c, await answer({ method: 'PUT', path, body, ...caller(c) }));
      })
      .openapi(createInvite, async (c) => {
        const body = c.req.valid('json');
        const path = `/internal/families/${segment(c.req.valid('param').familyId)}/invites`;
        return forward(c, await answer({ method: 'POST', path, body, ...caller(c) }));
      })
      // Before `/{memberId}`: "me" is the caller, not a member id.
      .openapi(changeMyPreferences, async (c) => {
        const body = c.req.valid('json');
        const path = `/internal/families/${segment(c.req.valid('param').familyId)}/members/me`;
        return forward(c, await answer({ method: 'PATCH', path, body, ...caller(c) }));
      })
      .openapi(leaveFamily, async (c) => {
        const path = `/internal/families/${segment(c.req.valid('param').familyId)}/members/me`;
        return forward<Response>(c, await answer({ method: 'DELETE', path, ...caller(c) }));
      })
      .openapi(removeMember, async (c) => {
        const { familyId, memberId } = c.req.valid('param');
        const path = `/internal/families/${segment(familyId)}/members/${segment(memberId)}`;
        return forward<Response>(c, await answer({ method: 'DELETE', path, ...caller(c) }));
      })
      .openapi(changeRole, async (c) => {
        const body = c.req.valid('json');
        const { familyId, memberId } = c.req.valid('param');
        const path = `/internal/families/${segment(familyId)}/members/${segment(memberId)}`;
        return forward(c, await answer({ method: 'PATCH', path, body, ...caller(c) }));
      })
  );
}
