import type { EventContext } from '@haru/contracts';
import { HaruError } from '@haru/errors';
import type { CallerVariables, CorrelationVariables } from '@haru/http';
import type { Context } from 'hono';
import { validate as isUuid } from 'uuid';

/** What the answer service's routes read per request: the caller, and the request's correlation id. */
export type RequestEnv = { Variables: CallerVariables & CorrelationVariables };

/**
 * Events caused by a request carry its correlation id (the gateway's, as the service's
 * HTTP app took it from the request; see `observedApp`), so that they and the request's
 * log lines can be followed together.
 */
export const requestContext = (c: Context<RequestEnv>): EventContext => contextOfRequest(c.get('correlationId'));

/** The context of events an app request causes: its correlation id, which also caused them. */
export const contextOfRequest = (correlationId: string, occurredAt = new Date()): EventContext => ({
  occurredAt,
  correlationId,
  causationId: correlationId,
});

/** The family id in the path: anything but a UUID names no family (and never reaches a query). */
export const familyIdOf = (c: Context): string => idInPath(c, 'familyId', 'no such family');

/** The question id in the path: as with `familyIdOf`, anything but a UUID names no question. */
export const questionIdOf = (c: Context): string => idInPath(c, 'questionId', 'no such question');

/** The member id in the path: as with `familyIdOf`, anything but a UUID names no member. */
export const memberIdOf = (c: Context): string => idInPath(c, 'memberId', 'no such member');

function idInPath(c: Context, parameter: string, notFound: string): string {
  const id = c.req.param(parameter) ?? '';
  if (!isUuid(id)) throw new HaruError('not-found', notFound);
  return id;
}
