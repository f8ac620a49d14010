import { randomInt } from 'node:crypto';
import {
  createFamilyInputSchema,
  defaultLocale,
  defaultQuietHours,
  defaultReminderOffsetMinutes,
  inviteInputSchema,
  joinFamilyInputSchema,
  newEventId,
  preferencesInputSchema,
  renameFamilyInputSchema,
  roleChangeInputSchema,
  scheduleInputSchema,
} from '@haru/contracts';
import { type Database, isUniqueViolation } from '@haru/db';
import { HaruError } from '@haru/errors';
import { jsonBody, requireCaller } from '@haru/http';
import { type Context, Hono } from 'hono';
import type { z } from 'zod';
import type { AnswerDatabase } from '../database.ts';
import { familyIdOf, memberIdOf, type RequestEnv, requestContext } from '../request-context.ts';
import { familyIdForInviteCode, loadFamily, runFamilyCommand } from './family.repository.ts';
import {
  type ActiveFamily,
  activeMemberByUid,
  existing,
  type FamilyCommand,
  type FamilyState,
  type Member,
  preferencesOf,
  requireMember,
  type Schedule,
} from './family.ts';
import { idempotencyKeyOf, isIdempotencyConflict, priorResponse, recordResponse, requestHash } from './idempotency.ts';

export function familyRoutes(database: Database<AnswerDatabase>, { inviteLifetimeMs }: { inviteLifetimeMs: number }) {
  /** Runs a command that issues an invite code, drawing another if the code is taken (rarely needed). */
  async function withNewInviteCode<Result>(run: (code: string, expiresAt: Date) => Promise<Result>): Promise<Result> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await run(newInviteCode(), new Date(Date.now() + inviteLifetimeMs));
      } catch (error) {
        if (!isUniqueViolation(error) || attempt >= 5) throw error;
      }
    }
  }

  /** Runs a command of the caller's on a family they belong to (to anyone else it does not exist). */
  async function memberCommand(c: Context<RequestEnv>, command: (uid: string) => FamilyCommand) {
    const familyId = familyIdOf(c);
    memberView(await loadFamily(database.db, familyId), c.get('uid'));
    return runFamilyCommand(database, familyId, command(c.get('uid')), requestContext(c));
  }

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

      const schedule = scheduleFromInput(input);
      // An invite code may collide with another family's; draw again (rarely needed).
      for (let attempt = 1; ; attempt++) {
        const familyId = newEventId();
        const founder = { memberId: newEventId(), uid, ...input.member, locale: input.member.locale ?? defaultLocale };
        const inviteCode = newInviteCode();
        const inviteExpiresAt = new Date(Date.now() + inviteLifetimeMs);
        const created = { status: 201, body: { familyId, inviteCode, memberId: founder.memberId } };
        try {
          await runFamilyCommand(
            database,
            familyId,
            {
              type: 'CreateFamily',
              data: { familyId, name: input.name, inviteCode, inviteExpiresAt, schedule, founder },
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
      const { role, displayName, locale = defaultLocale } = input.member;
      const { state, appended } = await runFamilyCommand(
        database,
        familyId,
        {
          type: 'JoinFamily',
          data: { memberId: newEventId(), uid, displayName, locale, role, inviteCode: input.inviteCode },
          metadata: { now: new Date() },
        },
        requestContext(c),
      );
      const member = requireMember(existing(state), uid);
      return c.json({ familyId, memberId: member.memberId }, appended.length > 0 ? 201 : 200);
    })
    .get('/:familyId', async (c) => {
      const family = memberView(await loadFamily(database.db, familyIdOf(c)), c.get('uid'));
      return c.json(familyAsSeenBy(family, c.get('uid')));
    })
    .patch('/:familyId', jsonBody(renameFamilyInputSchema), async (c) => {
      const { name } = c.req.valid('json');
      const { state } = await memberCommand(c, (uid) => ({
        type: 'RenameFamily',
        data: { uid, name },
        metadata: { now: new Date() },
      }));
      return c.json(familyAsSeenBy(existing(state), c.get('uid')));
    })
    .post('/:familyId/invites', jsonBody(inviteInputSchema), async (c) => {
      const { role } = c.req.valid('json');
      const { state } = await withNewInviteCode((code, expiresAt) =>
        memberCommand(c, (uid) => ({
          type: 'CreateInvite',
          data: { uid, role, code, expiresAt },
          metadata: { now: new Date() },
        })),
      );
      const invite = existing(state).invites[role];
      if (!invite) throw new Error('an invite was created but the family has none for its role');
      return c.json({ inviteCode: invite.code, role: invite.role, expiresAt: invite.expiresAt }, 201);
    })
    .patch('/:familyId/members/me', jsonBody(preferencesInputSchema), async (c) => {
      const change = c.req.valid('json');
      const { state } = await memberCommand(c, (uid) => ({
        type: 'ChangePreferences',
        data: { uid, ...change },
        metadata: { now: new Date() },
      }));
      return c.json(settingsOf(requireMember(existing(state), c.get('uid'))));
    })
    .delete('/:familyId/members/me', async (c) => {
      await memberCommand(c, (uid) => ({ type: 'LeaveFamily', data: { uid }, metadata: { now: new Date() } }));
      return c.body(null, 204);
    })
    .delete('/:familyId/members/:memberId', async (c) => {
      const memberId = memberIdOf(c);
      await memberCommand(c, (uid) => ({
        type: 'RemoveMember',
        data: { uid, memberId },
        metadata: { now: new Date() },
      }));
      return c.body(null, 204);
    })
    .patch('/:familyId/members/:memberId', jsonBody(roleChangeInputSchema), async (c) => {
      const memberId = memberIdOf(c);
      const { role } = c.req.valid('json');
      const { state } = await memberCommand(c, (uid) => ({
        type: 'ChangeRole',
        data: { uid, memberId, role },
        metadata: { now: new Date() },
      }));
      const member = existing(state).members.find((candidate) => candidate.memberId === memberId);
      if (!member) throw new Error('a role was changed but the family has no such member');
      return c.json({ memberId, role: member.role, displayName: member.displayName });
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
            schedule: scheduleFromInput(input),
          },
          metadata: { now: new Date() },
        },
        requestContext(c),
      );
      const { schedule } = existing(state);
      return c.json({ familyId, ...schedule });
    });
}

/** A schedule as the app states it (a new family's, or a change): what it leaves out is the default. */
const scheduleFromInput = (input: z.infer<typeof scheduleInputSchema>): Schedule => ({
  timezone: input.timezone,
  pushTime: input.pushTime,
  quietHours: input.quietHours === undefined ? { ...defaultQuietHours } : input.quietHours,
  reminderOffsetMinutes: input.reminderOffsetMinutes ?? defaultReminderOffsetMinutes,
});

/** The family as its member sees it; to anyone else it does not exist. */
function memberView(state: FamilyState, uid: string) {
  const family = existing(state);
  if (!activeMemberByUid(family, uid)) throw new HaruError('not-found', 'no such family');
  return family;
}

/** The family as `uid`, one of its members, reads it: its schedule, who is in it, and their own settings. */
const familyAsSeenBy = (family: ActiveFamily, uid: string) => ({
  familyId: family.familyId,
  name: family.name,
  ...family.schedule,
  members: family.members
    .filter((member) => member.active)
    .map(({ memberId, role, displayName }) => ({ memberId, role, displayName })),
  me: settingsOf(requireMember(family, uid)),
});

/** What a member sees of themselves: their role and their own settings. */
const settingsOf = (member: Member) => ({ memberId: member.memberId, role: member.role, ...preferencesOf(member) });

const inviteAlphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** Eight characters without look-alikes (no I, O, 0, 1): about 10^12 codes. */
const newInviteCode = (): string =>
  Array.from({ length: 8 }, () => inviteAlphabet[randomInt(inviteAlphabet.length)]).join('');
