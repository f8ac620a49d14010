// The family aggregate as plain functions: decide(command, state) → events,
// evolve(state, event) → state. No I/O; ids and time arrive in the command.
import { defaultReminderOffsetMinutes } from '@haru/contracts';
import { HaruError } from '@haru/errors';
import { erasedUid, formerMemberName } from '../personal-data/stand-ins.ts';
import {
  askedIn,
  type Catalogue,
  type CatalogueProgress,
  type CatalogueQuestion,
  legacyQuestionId,
  nextQuestion,
  noProgress,
} from '../questions/catalogue.ts';

export type Role = 'parent' | 'child';
export type Locale = 'ko' | 'en';
/** The pushes a member may mute (today's question is never muted). */
export type MutableKind = 'reminder' | 'complete';
export interface QuietHours {
  start: string;
  end: string;
}
export interface Schedule {
  timezone: string;
  pushTime: string;
  quietHours: QuietHours | null;
  /** Minutes from each question to its reminder. */
  reminderOffsetMinutes: number;
}
/** A schedule as events record it: those from before a family could choose its reminder offset lack it (the default). */
type RecordedSchedule = Omit<Schedule, 'reminderOffsetMinutes'> & { reminderOffsetMinutes?: number };
export interface NewMember {
  memberId: string;
  uid: string;
  role: Role;
  displayName: string;
  locale: Locale;
}
export interface Member extends NewMember {
  active: boolean;
  mutedKinds: MutableKind[];
  /** The member's account was erased: their name and uid are stand-ins, for good. */
  erased?: true;
}
/** An invite code, granting its role until it expires or a new code for the role replaces it. */
export interface Invite {
  code: string;
  role: Role;
  expiresAt: string;
}
export interface Preferences {
  displayName: string;
  locale: Locale;
  mutedKinds: MutableKind[];
}
export interface OpenedQuestion {
  questionId: string;
  localDate: string;
  text: CatalogueQuestion['text'];
  /** The question's instant: it is visible and answerable from then on. */
  openedAt: string;
  requiredMemberIds: string[];
  /**
   * When the scheduler announced the instant (its QuestionDue's `occurredAt`): of two
   * announcements of one question, the later sets the instant, in whatever order they
   * arrive. Absent on questions opened before instants could move.
   */
  timedBy?: string;
}

export type FamilyEvent =
  | {
      type: 'FamilyCreated';
      /** `inviteExpiresAt`: absent on families created before codes expired (then 7 days). */
      data: {
        familyId: string;
        name: string;
        inviteCode: string;
        inviteExpiresAt?: string;
        createdAt: string;
      } & RecordedSchedule;
    }
  | { type: 'MemberJoined'; data: NewMember & { joinedAt: string } }
  | { type: 'InviteCreated'; data: Invite & { createdBy: string; createdAt: string } }
  /** `removedBy`: the parent who removed the member; absent when they left. */
  | { type: 'MemberLeft'; data: { memberId: string; leftAt: string; removedBy?: string } }
  | { type: 'MemberPreferencesChanged'; data: Preferences & { memberId: string; changedAt: string } }
  /** A parent renamed the family (stays inside the service: no other reads its name). */
  | { type: 'FamilyRenamed'; data: { name: string; renamedBy: string; renamedAt: string } }
  /** A parent gave a member another role (stays inside the service: no other reads roles). */
  | { type: 'MemberRoleChanged'; data: { memberId: string; role: Role; changedBy: string; changedAt: string } }
  /** The member's account was erased: their personal data is unreadable from then on (decision 9). */
  | { type: 'MemberErased'; data: { memberId: string; erasedAt: string } }
  | { type: 'ScheduleChanged'; data: RecordedSchedule & { changedAt: string } }
  /**
   * `catalogueQuestionId`, `cycle`, `catalogueVersion`: which catalogue question it is, in
   * which round of the family's walk through the catalogue, from which version. Absent on
   * questions opened before the catalogue was data (their id follows from `day`).
   */
  | {
      type: 'QuestionOpened';
      data: OpenedQuestion & { day: number; catalogueQuestionId?: number; cycle?: number; catalogueVersion?: number };
    }
  | { type: 'QuestionRescheduled'; data: OpenedQuestion };

export type FamilyCommand =
  | {
      type: 'CreateFamily';
      data: {
        familyId: string;
        name: string;
        /** A child invite, valid until `inviteExpiresAt`. */
        inviteCode: string;
        inviteExpiresAt: Date;
        schedule: Schedule;
        founder: NewMember;
      };
      metadata: { now: Date };
    }
  | {
      type: 'JoinFamily';
      /** The role is the invite's; `role`, when stated, must agree with it. */
      data: Omit<NewMember, 'role'> & { inviteCode: string; role?: Role | undefined };
      metadata: { now: Date };
    }
  | { type: 'CreateInvite'; data: { uid: string; role: Role; code: string; expiresAt: Date }; metadata: { now: Date } }
  | { type: 'LeaveFamily'; data: { uid: string }; metadata: { now: Date } }
  | { type: 'RemoveMember'; data: { uid: string; memberId: string }; metadata: { now: Date } }
  | { type: 'ChangeRole'; data: { uid: string; memberId: string; role: Role }; metadata: { now: Date } }
  | { type: 'RenameFamily'; data: { uid: string; name: string }; metadata: { now: Date } }
  | {
      type: 'ChangePreferences';
      data: { uid: string } & Partial<Preferences>;
      metadata: { now: Date };
    }
  | { type: 'ChangeSchedule'; data: { uid: string; schedule: Schedule }; metadata: { now: Date } }
  /** The member's account is being erased: they leave (if they have not) and are erased. */
  | { type: 'EraseMember'; data: { memberId: string }; metadata: { now: Date } }
  | {
      type: 'OpenQuestion';
      /**
       * `opensAt`: the family's instant; a question prepared ahead stays invisible until then.
       * `timedBy`: when the scheduler announced that instant (the later announcement wins).
       */
      data: { localDate: string; questionId: string; opensAt: Date; timedBy: string; catalogue: Catalogue };
      metadata: { now: Date };
    };

export type FamilyState =
  | { status: 'absent' }
  | {
      status: 'active';
      familyId: string;
      name: string;
      /** The valid code of each role, if any. */
      invites: Record<Role, Invite | null>;
      schedule: Schedule;
      members: Member[];
      /**
       * The latest questions, oldest first: the newest (which may be held until its instant)
       * and the one before it (current meanwhile). Older ones are the archive's, read from
       * the stream by index: the state does not grow with the family's age.
       */
      recentQuestions: OpenedQuestion[];
      /** How many questions have opened (the next one's `day`). */
      questionsOpened: number;
      /** Where the family is in the catalogue: which questions it has had in this round. */
      catalogue: CatalogueProgress;
    };

export const initialFamilyState = (): FamilyState => ({ status: 'absent' });

export function decideFamily(command: FamilyCommand, state: FamilyState): FamilyEvent[] {
  const now = command.metadata.now.toISOString();
  switch (command.type) {
    case 'CreateFamily': {
      if (state.status !== 'absent') throw new HaruError('conflict', 'the family exists already');
      const { familyId, name, inviteCode, inviteExpiresAt, schedule, founder } = command.data;
      return [
        {
          type: 'FamilyCreated',
          data: {
            familyId,
            name,
            inviteCode,
            inviteExpiresAt: inviteExpiresAt.toISOString(),
            ...schedule,
            createdAt: now,
          },
        },
        { type: 'MemberJoined', data: { ...founder, joinedAt: now } },
      ];
    }
    case 'JoinFamily': {
      const family = existing(state);
      const { inviteCode, role: statedRole, ...member } = command.data;
      // Joining again with the same identity is a retry, not a second member.
      if (activeMemberByUid(family, member.uid)) return [];
      const invite = validInvite(family, inviteCode, command.metadata.now);
      // Unknown, expired and replaced codes look alike: whoever guesses learns nothing.
      if (!invite) throw new HaruError('not-found', 'no family has this invite code');
      if (statedRole !== undefined && statedRole !== invite.role) {
        throw new HaruError(
          'conflict',
          `this invite code is for a ${invite.role}; leave role out, or ask for a ${statedRole} invite`,
        );
      }
      return [{ type: 'MemberJoined', data: { ...member, role: invite.role, joinedAt: now } }];
    }
    case 'CreateInvite': {
      const family = existing(state);
      const parent = requireParent(family, command.data.uid, 'only parents invite');
      const { code, role, expiresAt } = command.data;
      return [
        {
          type: 'InviteCreated',
          data: { code, role, expiresAt: expiresAt.toISOString(), createdBy: parent.memberId, createdAt: now },
        },
      ];
    }
    case 'LeaveFamily': {
      const family = existing(state);
      const member = requireMember(family, command.data.uid);
      return [{ type: 'MemberLeft', data: { memberId: mayLeave(family, member).memberId, leftAt: now } }];
    }
    case 'RemoveMember': {
      const family = existing(state);
      const parent = requireParent(family, command.data.uid, 'only parents remove members');
      const member = family.members.find((candidate) => candidate.memberId === command.data.memberId);
      if (!member) throw new HaruError('not-found', 'no such member');
      // Removed already: a retry.
      if (!member.active) return [];
      mayLeave(family, member);
      return [{ type: 'MemberLeft', data: { memberId: member.memberId, leftAt: now, removedBy: parent.memberId } }];
    }
    case 'RenameFamily': {
      const family = existing(state);
      const parent = requireParent(family, command.data.uid, 'only parents rename the family');
      const { name } = command.data;
      if (family.name === name) return [];
      return [{ type: 'FamilyRenamed', data: { name, renamedBy: parent.memberId, renamedAt: now } }];
    }
    case 'ChangeRole': {
      const family = existing(state);
      const parent = requireParent(family, command.data.uid, 'only parents change roles');
      const { memberId, role } = command.data;
      const member = family.members.find((candidate) => candidate.active && candidate.memberId === memberId);
      if (!member) throw new HaruError('not-found', 'no such member');
      if (member.role === role) return [];
      const anotherParent = family.members.some(
        (other) => other.active && other.role === 'parent' && other.memberId !== memberId,
      );
      if (role === 'child' && !anotherParent) {
        throw new HaruError('conflict', 'a family keeps at least one parent: make another member a parent first');
      }
      return [{ type: 'MemberRoleChanged', data: { memberId, role, changedBy: parent.memberId, changedAt: now } }];
    }
    case 'ChangePreferences': {
      const family = existing(state);
      const { uid, ...change } = command.data;
      const member = requireMember(family, uid);
      const preferences = preferencesOf({ ...preferencesOf(member), ...definedOnly(change) });
      if (samePreferences(preferencesOf(member), preferences)) return [];
      return [
        { type: 'MemberPreferencesChanged', data: { memberId: member.memberId, ...preferences, changedAt: now } },
      ];
    }
    case 'EraseMember': {
      const family = existing(state);
      const member = family.members.find((candidate) => candidate.memberId === command.data.memberId);
      // Erased already (a retry), or a join that never happened.
      if (!member || member.erased) return [];
      const erased: FamilyEvent = { type: 'MemberErased', data: { memberId: member.memberId, erasedAt: now } };
      if (!member.active) return [erased];
      mayLeave(family, member);
      return [{ type: 'MemberLeft', data: { memberId: member.memberId, leftAt: now } }, erased];
    }
    case 'ChangeSchedule': {
      const family = existing(state);
      const member = requireMember(family, command.data.uid);
      if (member.role !== 'parent') throw new HaruError('forbidden', 'only parents change the schedule');
      const { schedule } = command.data;
      if (sameSchedule(family.schedule, schedule)) return [];
      return [{ type: 'ScheduleChanged', data: { ...schedule, changedAt: now } }];
    }
    case 'OpenQuestion': {
      const family = existing(state);
      const { localDate, questionId, opensAt, timedBy, catalogue } = command.data;
      // Never before the decision: a QuestionDue that arrives late opens the question at once.
      const openedAt = new Date(Math.max(opensAt.getTime(), command.metadata.now.getTime())).toISOString();
      const latest = family.recentQuestions.at(-1);
      if (latest?.localDate === localDate) {
        // The same question announced again: a newer announcement of a question still held
        // moves its instant (the schedule changed within the lead); anything else is a repeat.
        const held = Date.parse(latest.openedAt) > command.metadata.now.getTime();
        const newer = timedBy > (latest.timedBy ?? '');
        if (!held || !newer || openedAt === latest.openedAt) return [];
        return [{ type: 'QuestionRescheduled', data: { ...latest, openedAt, timedBy } }];
      }
      // A stale QuestionDue (at-least-once, out of order) opens nothing.
      if (latest && latest.localDate > localDate) return [];
      const day = family.questionsOpened;
      const { question, cycle } = nextQuestion(family.familyId, family.catalogue, catalogue);
      return [
        {
          type: 'QuestionOpened',
          data: {
            questionId,
            localDate,
            day,
            text: question.text,
            openedAt,
            requiredMemberIds: family.members.filter((member) => member.active).map((member) => member.memberId),
            timedBy,
            catalogueQuestionId: question.id,
            cycle,
            catalogueVersion: catalogue.version,
          },
        },
      ];
    }
    default:
      return unreachable(command);
  }
}

export function evolveFamily(state: FamilyState, event: FamilyEvent): FamilyState {
  switch (event.type) {
    case 'FamilyCreated': {
      const { familyId, name, inviteCode, inviteExpiresAt, createdAt } = event.data;
      const expiresAt = inviteExpiresAt ?? new Date(Date.parse(createdAt) + defaultInviteLifetimeMs).toISOString();
      return {
        status: 'active',
        familyId,
        name,
        invites: { child: { code: inviteCode, role: 'child', expiresAt }, parent: null },
        schedule: scheduleOf(event.data),
        members: [],
        recentQuestions: [],
        questionsOpened: 0,
        catalogue: noProgress(),
      };
    }
    case 'MemberJoined': {
      if (state.status === 'absent') return state;
      const { joinedAt: _, ...member } = event.data;
      return { ...state, members: [...state.members, { ...member, active: true, mutedKinds: [] }] };
    }
    case 'InviteCreated': {
      if (state.status === 'absent') return state;
      const { code, role, expiresAt } = event.data;
      return { ...state, invites: { ...state.invites, [role]: { code, role, expiresAt } } };
    }
    case 'MemberPreferencesChanged': {
      if (state.status === 'absent') return state;
      const { memberId, changedAt: _, ...preferences } = event.data;
      return {
        ...state,
        members: state.members.map((member) => (member.memberId === memberId ? { ...member, ...preferences } : member)),
      };
    }
    case 'FamilyRenamed': {
      if (state.status === 'absent') return state;
      return { ...state, name: event.data.name };
    }
    case 'MemberRoleChanged': {
      if (state.status === 'absent') return state;
      const { memberId, role } = event.data;
      return {
        ...state,
        members: state.members.map((member) => (member.memberId === memberId ? { ...member, role } : member)),
      };
    }
    case 'MemberLeft': {
      if (state.status === 'absent') return state;
      return {
        ...state,
        members: state.members.map((member) =>
          member.memberId === event.data.memberId ? { ...member, active: false } : member,
        ),
      };
    }
    case 'MemberErased': {
      if (state.status === 'absent') return state;
      const { memberId } = event.data;
      return {
        ...state,
        members: state.members.map((member) =>
          member.memberId === memberId
            ? { ...member, uid: erasedUid(memberId), displayName: formerMemberName, active: false, erased: true }
            : member,
        ),
      };
    }
    case 'ScheduleChanged': {
      if (state.status === 'absent') return state;
      return { ...state, schedule: scheduleOf(event.data) };
    }
    case 'QuestionOpened': {
      if (state.status === 'absent') return state;
      const { day, catalogueQuestionId, cycle, catalogueVersion: _, ...question } = event.data;
      const asked = catalogueQuestionId ?? legacyQuestionId(state.familyId, day);
      return {
        ...state,
        recentQuestions: [...state.recentQuestions.slice(-(recentQuestionsKept - 1)), question],
        questionsOpened: state.questionsOpened + 1,
        catalogue: askedIn(state.catalogue, asked, cycle ?? 0),
      };
    }
    case 'QuestionRescheduled': {
      if (state.status === 'absent') return state;
      const moved = event.data;
      return {
        ...state,
        recentQuestions: state.recentQuestions.map((question) =>
          question.questionId === moved.questionId
            ? { ...question, openedAt: moved.openedAt, timedBy: moved.timedBy }
            : question,
        ),
      };
    }
    default:
      return unreachable(event);
  }
}

export type ActiveFamily = Extract<FamilyState, { status: 'active' }>;

/** A family that does not exist and one the caller is not in look the same from outside. */
export function existing(state: FamilyState): ActiveFamily {
  if (state.status === 'absent') throw new HaruError('not-found', 'no such family');
  return state;
}

export const activeMemberByUid = (family: ActiveFamily, uid: string): Member | undefined =>
  family.members.find((member) => member.uid === uid && member.active);

/**
 * The question members see and answer at `now`: the latest one whose instant has come. A
 * question prepared ahead of its instant is held invisible until then, and the previous one
 * stays current meanwhile.
 */
export const currentQuestion = (family: ActiveFamily, now: Date): OpenedQuestion | undefined =>
  family.recentQuestions.findLast((question) => Date.parse(question.openedAt) <= now.getTime());

/**
 * Questions the state keeps: the newest, and the one current while the newest is held. A
 * question is prepared within the scheduler's lead (minutes) before its instant, so no more
 * than the newest is ever held.
 */
const recentQuestionsKept = 2;

export function requireMember(family: ActiveFamily, uid: string): Member {
  const member = activeMemberByUid(family, uid);
  if (!member) throw new HaruError('not-found', 'no such family');
  return member;
}

function requireParent(family: ActiveFamily, uid: string, refusal: string): Member {
  const member = requireMember(family, uid);
  if (member.role !== 'parent') throw new HaruError('forbidden', refusal);
  return member;
}

/** How long an invite code lasts unless configured otherwise (`INVITE_LIFETIME_HOURS`). */
export const defaultInviteLifetimeMs = 7 * 24 * 60 * 60 * 1000;

/** The invite `code` stands for, if it is a role's current code and has not expired. */
export const validInvite = (family: ActiveFamily, code: string, now: Date): Invite | undefined =>
  Object.values(family.invites).find(
    (invite) => invite !== null && invite.code === code && Date.parse(invite.expiresAt) > now.getTime(),
  ) ?? undefined;

/** A family is never left to children alone: its last parent stays while any child does. */
function mayLeave(family: ActiveFamily, member: Member): Member {
  const active = family.members.filter((other) => other.active && other.memberId !== member.memberId);
  const parentRemains = active.some((other) => other.role === 'parent');
  if (member.role === 'parent' && !parentRemains && active.length > 0) {
    throw new HaruError(
      'conflict',
      'the last parent cannot leave while children remain: invite another parent first, or remove the children',
    );
  }
  return member;
}

export const preferencesOf = ({ displayName, locale, mutedKinds }: Preferences): Preferences => ({
  displayName,
  locale,
  // One order, no repeats: the same choice always reads the same.
  mutedKinds: (['complete', 'reminder'] as const).filter((kind) => mutedKinds.includes(kind)),
});

const samePreferences = (a: Preferences, b: Preferences) =>
  a.displayName === b.displayName && a.locale === b.locale && a.mutedKinds.join() === b.mutedKinds.join();

const definedOnly = <Value extends object>(value: Value): Partial<Value> =>
  Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<Value>;

const scheduleOf = ({ timezone, pushTime, quietHours, reminderOffsetMinutes }: RecordedSchedule): Schedule => ({
  timezone,
  pushTime,
  quietHours,
  reminderOffsetMinutes: reminderOffsetMinutes ?? defaultReminderOffsetMinutes,
});

const sameSchedule = (a: Schedule, b: Schedule) =>
  a.timezone === b.timezone &&
  a.pushTime === b.pushTime &&
  a.quietHours?.start === b.quietHours?.start &&
  a.quietHours?.end === b.quietHours?.end &&
  a.reminderOffsetMinutes === b.reminderOffsetMinutes;

const unreachable = (value: never): never => {
  throw new Error(`unhandled ${JSON.stringify(value)}`);
};
