// The family aggregate as plain functions: decide(command, state) → events,
// evolve(state, event) → state. No I/O; ids and time arrive in the command.
import { HaruError } from '@haru/errors';
import { type CatalogueQuestion, questionForDay } from '../questions/catalogue.ts';

export type Role = 'parent' | 'child';
export type Locale = 'ko' | 'en';
export interface QuietHours {
  start: string;
  end: string;
}
export interface Schedule {
  timezone: string;
  pushTime: string;
  quietHours: QuietHours | null;
}
export interface NewMember {
  memberId: string;
  uid: string;
  role: Role;
  displayName: string;
  locale: Locale;
}
export interface Member extends NewMember {
  active: boolean;
}
export interface OpenedQuestion {
  questionId: string;
  localDate: string;
  text: CatalogueQuestion['text'];
  openedAt: string;
  requiredMemberIds: string[];
}

export type FamilyEvent =
  | {
      type: 'FamilyCreated';
      data: { familyId: string; name: string; inviteCode: string; createdAt: string } & Schedule;
    }
  | { type: 'MemberJoined'; data: NewMember & { joinedAt: string } }
  | { type: 'MemberLeft'; data: { memberId: string; leftAt: string } }
  | { type: 'ScheduleChanged'; data: Schedule & { changedAt: string } }
  | { type: 'QuestionOpened'; data: OpenedQuestion & { day: number } };

export type FamilyCommand =
  | {
      type: 'CreateFamily';
      data: { familyId: string; name: string; inviteCode: string; schedule: Schedule; founder: NewMember };
      metadata: { now: Date };
    }
  | { type: 'JoinFamily'; data: NewMember; metadata: { now: Date } }
  | { type: 'ChangeSchedule'; data: { uid: string; schedule: Schedule }; metadata: { now: Date } }
  | {
      type: 'OpenQuestion';
      /** `opensAt`: the family's instant; a question prepared ahead stays invisible until then. */
      data: { localDate: string; questionId: string; opensAt: Date };
      metadata: { now: Date };
    };

export type FamilyState =
  | { status: 'absent' }
  | {
      status: 'active';
      familyId: string;
      name: string;
      inviteCode: string;
      schedule: Schedule;
      members: Member[];
      /** Questions opened so far, oldest first. */
      questions: OpenedQuestion[];
    };

export const initialFamilyState = (): FamilyState => ({ status: 'absent' });

export function decideFamily(command: FamilyCommand, state: FamilyState): FamilyEvent[] {
  const now = command.metadata.now.toISOString();
  switch (command.type) {
    case 'CreateFamily': {
      if (state.status !== 'absent') throw new HaruError('conflict', 'the family exists already');
      const { familyId, name, inviteCode, schedule, founder } = command.data;
      return [
        { type: 'FamilyCreated', data: { familyId, name, inviteCode, ...schedule, createdAt: now } },
        { type: 'MemberJoined', data: { ...founder, joinedAt: now } },
      ];
    }
    case 'JoinFamily': {
      const family = existing(state);
      // Joining again with the same identity is a retry, not a second member.
      if (activeMemberByUid(family, command.data.uid)) return [];
      return [{ type: 'MemberJoined', data: { ...command.data, joinedAt: now } }];
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
      const latest = family.questions.at(-1);
      // A repeated or stale QuestionDue (at-least-once, out of order) opens nothing.
      if (latest && latest.localDate >= command.data.localDate) return [];
      const day = family.questions.length;
      const question = questionForDay(family.familyId, day);
      return [
        {
          type: 'QuestionOpened',
          data: {
            questionId: command.data.questionId,
            localDate: command.data.localDate,
            day,
            text: question.text,
            // Never before the decision: a QuestionDue that arrives late opens the question at once.
            openedAt: new Date(Math.max(command.data.opensAt.getTime(), command.metadata.now.getTime())).toISOString(),
            requiredMemberIds: family.members.filter((member) => member.active).map((member) => member.memberId),
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
      const { familyId, name, inviteCode, timezone, pushTime, quietHours } = event.data;
      return {
        status: 'active',
        familyId,
        name,
        inviteCode,
        schedule: { timezone, pushTime, quietHours },
        members: [],
        questions: [],
      };
    }
    case 'MemberJoined': {
      if (state.status === 'absent') return state;
      const { joinedAt: _, ...member } = event.data;
      return { ...state, members: [...state.members, { ...member, active: true }] };
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
    case 'ScheduleChanged': {
      if (state.status === 'absent') return state;
      const { timezone, pushTime, quietHours } = event.data;
      return { ...state, schedule: { timezone, pushTime, quietHours } };
    }
    case 'QuestionOpened': {
      if (state.status === 'absent') return state;
      const { day: _, ...question } = event.data;
      return { ...state, questions: [...state.questions, question] };
    }
    default:
      return unreachable(event);
  }
}

type ActiveFamily = Extract<FamilyState, { status: 'active' }>;

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
  family.questions.findLast((question) => Date.parse(question.openedAt) <= now.getTime());

export function requireMember(family: ActiveFamily, uid: string): Member {
  const member = activeMemberByUid(family, uid);
  if (!member) throw new HaruError('not-found', 'no such family');
  return member;
}

const sameSchedule = (a: Schedule, b: Schedule) =>
  a.timezone === b.timezone &&
  a.pushTime === b.pushTime &&
  a.quietHours?.start === b.quietHours?.start &&
  a.quietHours?.end === b.quietHours?.end;

const unreachable = (value: never): never => {
  throw new Error(`unhandled ${JSON.stringify(value)}`);
};
