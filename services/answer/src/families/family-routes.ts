import { randomInt } from 'node:crypto';
import {
  createFamilyInputSchema,
  defaultLocale,
  defaultQuietHours,
  type EventContext,
  joinFamilyInputSchema,
  newEventId,
  scheduleInputSchema,
} from '@haru/contracts';
import { type Database, isUniqueViolation } from '@haru/db';
import { HaruError } from '@haru/errors';
import { type CallerVariables, type CorrelationVariables, jsonBody, requireCaller } from '@haru/http';
import { type Context, Hono } from 'hono';
import { validate as isUuid } from 'uuid';
import type { AnswerDatabase } from '../database.ts';
import { activeMemberByUid, existing, type FamilyState, requireMember } from './family.ts';
import { familyIdForInviteCode, loadFamily, runFamilyCommand } from './family-store.ts';
import { idempotencyKeyOf, isIdempotencyConflict, priorResponse, recordResponse, requestHash } from './idempotency.ts';

export function familyRoutes(database: Database<AnswerDatabase>) {
  return new Hono<RequestEnv>()
    .use(requireCaller())
    .post('/', jsonBody(createFamilyInputSchema), async (c) => {
      const input = c.req.valid('json');
      const uid = c.get('uid');
      const key = idempotencyKeyOf(c.req.header('idempotency-key'));
      const idempotency = key ? { uid, key, hash: requestHash(input) } : undefined;
      const replay = async () => {
        const prior = idempotency && (await priorResponse(database.db, idempotency));
        return prior && c.json(prior.body as object, prior.status as 201);
      };
      const replayed = await replay();
      if (replayed) return replayed;

      const schedule = {
        timezone: input.timezone,
        pushTime: input.pushTime,
        quietHours: input.quietHours === undefined ? { ...defaultQuietHours } : input.quietHours,
      };
      // An invite code may collide with another family's; draw again (rarely needed).
      for (let attempt = 1; ; attempt++) {
        const familyId = newEventId();
        const founder = { memberId: newEventId(), uid, ...input.member, locale: input.member.locale ?? defaultLocale };
        const inviteCode = newInviteCode();
        const created = { status: 201, body: { familyId, inviteCode, memberId: founder.memberId } };
        try {
          await runFamilyCommand(
            database,
            familyId,
            {
              type: 'CreateFamily',
              data: { familyId, name: input.name, inviteCode, schedule, founder },
              metadata: { now: new Date() },
            },
            requestContext(c),
            // The response is recorded with the family: a retry finds one or the other, never half.
            async (trx) => {
              if (idempotency) await recordResponse(trx, idempotency, created);
            },
          );
          return c.json(created.body, 201);
        } catch (error) {
          // The same key raced in from a concurrent retry: answer as that request did.
          if (isIdempotencyConflict(error)) {
            const raced = await replay();
            if (raced) return raced;
          }
          if (!isUniqueViolation(error) || attempt >= 5) throw error;
        }
      }
    })
    .post('/join', jsonBody(joinFamilyInputSchema), async (c) => {
      const input = c.req.valid('json');
      const uid = c.get('uid');
      const familyId = await familyIdForInviteCode(database.db, input.inviteCode);
      if (!familyId) throw new HaruError('not-found', 'no family has this invite code');
      const { state, appended } = await runFamilyCommand(
        database,
        familyId,
        {
          type: 'JoinFamily',
          data: { memberId: newEventId(), uid, ...input.member, locale: input.member.locale ?? defaultLocale },
          metadata: { now: new Date() },
        },
        requestContext(c),
      );
      const member = requireMember(existing(state), uid);
      return c.json({ familyId, memberId: member.memberId }, appended.length > 0 ? 201 : 200);
    })
    .get('/:familyId', async (c) => {
      const family = memberView(await loadFamily(database.db, familyIdOf(c)), c.get('uid'));
      return c.json({
        familyId: family.familyId,
        name: family.name,
        timezone: family.schedule.timezone,
        pushTime: family.schedule.pushTime,
        quietHours: family.schedule.quietHours,
        members: family.members
          .filter((member) => member.active)
          .map(({ memberId, role, displayName }) => ({ memberId, role, displayName })),
      });
    })
    .get('/:familyId/membership', async (c) => {
      const family = memberView(await loadFamily(database.db, familyIdOf(c)), c.get('uid'));
      const member = requireMember(family, c.get('uid'));
      return c.json({ familyId: family.familyId, memberId: member.memberId, role: member.role });
    })
    .put('/:familyId/schedule', jsonBody(scheduleInputSchema), async (c) => {
      const familyId = familyIdOf(c);
      const input = c.req.valid('json');
      memberView(await loadFamily(database.db, familyId), c.get('uid'));
      const { state } = await runFamilyCommand(
        database,
        familyId,
        {
          type: 'ChangeSchedule',
          data: {
            uid: c.get('uid'),
            schedule: {
              timezone: input.timezone,
              pushTime: input.pushTime,
              quietHours: input.quietHours === undefined ? { ...defaultQuietHours } : input.quietHours,
            },
          },
          metadata: { now: new Date() },
        },
        requestContext(c),
      );
      const { schedule } = existing(state);
      return c.json({ familyId, ...schedule });
    });
}

/** The family id in the path: anything but a UUID names no family (and never reaches a query). */
export function familyIdOf(c: Context): string {
  const familyId = c.req.param('familyId') ?? '';
  if (!isUuid(familyId)) throw new HaruError('not-found', 'no such family');
  return familyId;
}

/** The family as its member sees it; to anyone else it does not exist. */
function memberView(state: FamilyState, uid: string) {
  const family = existing(state);
  if (!activeMemberByUid(family, uid)) throw new HaruError('not-found', 'no such family');
  return family;
}

const inviteAlphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** Eight characters without look-alikes (no I, O, 0, 1): about 10^12 codes. */
const newInviteCode = (): string =>
  Array.from({ length: 8 }, () => inviteAlphabet[randomInt(inviteAlphabet.length)]).join('');

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
