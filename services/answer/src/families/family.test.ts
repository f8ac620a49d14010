import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HaruError } from '@haru/errors';
import type { Catalogue } from '../questions/catalogue.ts';
import { foldFamily } from './family.repository.ts';
import { decideFamily, type FamilyCommand, type FamilyEvent, initialFamilyState } from './family.ts';

const now = new Date('2026-11-25T09:00:00Z');
const familyId = '0193f5a0-0000-7000-8000-000000000001';
const parent = { memberId: 'p-1', uid: 'uid-parent', role: 'parent', displayName: 'Mom', locale: 'ko' } as const;
const child = { memberId: 'c-1', uid: 'uid-child', role: 'child', displayName: 'Jun', locale: 'en' } as const;
const schedule = {
  timezone: 'Asia/Seoul',
  pushTime: '20:00',
  quietHours: { start: '22:00', end: '08:00' },
  reminderOffsetMinutes: 180,
};
const inviteExpiresAt = new Date(now.getTime() + 7 * 24 * 3_600_000);
const later = (ms: number) => new Date(now.getTime() + ms);
/** A catalogue of `size` questions, ids 1…size. */
const catalogueOf = (size: number, version = 1): Catalogue => ({
  version,
  questions: Array.from({ length: size }, (_, index) => ({
    id: index + 1,
    text: { ko: `질문 ${index + 1}`, en: `Question ${index + 1}` },
  })),
});
const catalogue = catalogueOf(80);
const at0 = now.toISOString();

const created: FamilyEvent[] = [
  {
    type: 'FamilyCreated',
    data: {
      familyId,
      name: 'Kims',
      inviteCode: 'ABCDEFGH',
      inviteExpiresAt: inviteExpiresAt.toISOString(),
      ...schedule,
      createdAt: now.toISOString(),
    },
  },
  { type: 'MemberJoined', data: { ...parent, joinedAt: now.toISOString() } },
];
const childJoined: FamilyEvent = { type: 'MemberJoined', data: { ...child, joinedAt: now.toISOString() } };
const secondParent = { memberId: 'p-2', uid: 'uid-dad', role: 'parent', displayName: 'Dad', locale: 'ko' } as const;
const secondParentJoined: FamilyEvent = {
  type: 'MemberJoined',
  data: { ...secondParent, joinedAt: now.toISOString() },
};
const parentInvite: FamilyEvent = {
  type: 'InviteCreated',
  data: {
    code: 'PARENT23',
    role: 'parent',
    expiresAt: later(3_600_000).toISOString(),
    createdBy: parent.memberId,
    createdAt: now.toISOString(),
  },
};
const { role: _, ...joiner } = child;
const joining = (inviteCode: string, role?: 'parent' | 'child', at = now): FamilyCommand => ({
  type: 'JoinFamily',
  data: { ...joiner, inviteCode, ...(role ? { role } : {}) },
  metadata: { now: at },
});

/** Given events, when command: the events it decides. */
const given = (history: FamilyEvent[]) => ({
  when: (command: FamilyCommand) => decideFamily(command, foldFamily(history)),
});

const expectProblem = (run: () => unknown, kind: HaruError['kind']) =>
  assert.throws(run, (error) => error instanceof HaruError && error.kind === kind);

describe('family decider', () => {
  test('when a family is created, then it and its founding parent are recorded', () => {
    const events = given([]).when({
      type: 'CreateFamily',
      data: { familyId, name: 'Kims', inviteCode: 'ABCDEFGH', inviteExpiresAt, schedule, founder: parent },
      metadata: { now },
    });
    assert.deepEqual(events, created);
  });

  test('when the same uid joins twice, then no second member is recorded', () => {
    const events = given([...created, childJoined]).when({
      type: 'JoinFamily',
      data: { ...joiner, memberId: 'c-2', inviteCode: 'ABCDEFGH' },
      metadata: { now },
    });
    assert.deepEqual(events, []);
  });

  test('when someone joins with the code from the family’s creation, then they join as a child', () => {
    assert.deepEqual(given(created).when(joining('ABCDEFGH')), [childJoined]);
  });

  test('when someone joins with a parent invite, then they join as a parent whatever they would have chosen', () => {
    const [joined] = given([...created, parentInvite]).when(joining('PARENT23', 'parent'));
    assert.equal(joined?.type === 'MemberJoined' && joined.data.role, 'parent');
  });

  test('when the stated role disagrees with the invite’s, then joining is a conflict', () => {
    expectProblem(() => given(created).when(joining('ABCDEFGH', 'parent')), 'conflict');
  });

  test('when the code is unknown, expired or replaced, then each is not found alike', () => {
    expectProblem(() => given(created).when(joining('ZZZZZZZZ')), 'not-found');
    expectProblem(() => given(created).when(joining('ABCDEFGH', undefined, inviteExpiresAt)), 'not-found');
    const replaced: FamilyEvent = { ...parentInvite, data: { ...parentInvite.data, code: 'CHILD234', role: 'child' } };
    expectProblem(() => given([...created, replaced]).when(joining('ABCDEFGH')), 'not-found');
    assert.equal(given([...created, replaced]).when(joining('CHILD234')).length, 1);
  });

  test('when a family was created before codes expired, then its code lasts seven days from its creation', () => {
    const [familyCreated, founderJoined] = created;
    assert.ok(familyCreated?.type === 'FamilyCreated' && founderJoined);
    const { inviteExpiresAt: _, ...before } = familyCreated.data;
    const old: FamilyEvent[] = [{ type: 'FamilyCreated', data: before }, founderJoined];
    assert.equal(given(old).when(joining('ABCDEFGH', undefined, later(7 * 24 * 3_600_000 - 1))).length, 1);
    expectProblem(() => given(old).when(joining('ABCDEFGH', undefined, later(7 * 24 * 3_600_000))), 'not-found');
  });

  test('when a parent invites, then the invite is recorded with its role and expiry', () => {
    const events = given(created).when({
      type: 'CreateInvite',
      data: { uid: parent.uid, role: 'parent', code: 'PARENT23', expiresAt: later(3_600_000) },
      metadata: { now },
    });
    assert.deepEqual(events, [parentInvite]);
  });

  test('when a child invites, then it is forbidden', () => {
    expectProblem(
      () =>
        given([...created, childJoined]).when({
          type: 'CreateInvite',
          data: { uid: child.uid, role: 'child', code: 'CHILD234', expiresAt: later(3_600_000) },
          metadata: { now },
        }),
      'forbidden',
    );
  });

  test('when a child leaves, then they have left', () => {
    const events = given([...created, childJoined]).when({
      type: 'LeaveFamily',
      data: { uid: child.uid },
      metadata: { now },
    });
    assert.deepEqual(events, [{ type: 'MemberLeft', data: { memberId: child.memberId, leftAt: now.toISOString() } }]);
  });

  test('when the last parent leaves while a child remains, then it is a conflict', () => {
    expectProblem(
      () =>
        given([...created, childJoined]).when({ type: 'LeaveFamily', data: { uid: parent.uid }, metadata: { now } }),
      'conflict',
    );
  });

  test('when a parent leaves and another parent remains, or nobody else does, then they leave', () => {
    const leave = { type: 'LeaveFamily', data: { uid: parent.uid }, metadata: { now } } as const;
    assert.equal(given([...created, childJoined, secondParentJoined]).when(leave).length, 1);
    assert.equal(given(created).when(leave).length, 1);
  });

  test('when a parent removes a child, then the child has left, removed by the parent', () => {
    const events = given([...created, childJoined]).when({
      type: 'RemoveMember',
      data: { uid: parent.uid, memberId: child.memberId },
      metadata: { now },
    });
    assert.deepEqual(events, [
      { type: 'MemberLeft', data: { memberId: child.memberId, leftAt: now.toISOString(), removedBy: parent.memberId } },
    ]);
  });

  test('when a child removes a member, then it is forbidden; an unknown member is not found; a removed one is a retry', () => {
    const family = [...created, childJoined];
    const remove = (uid: string, memberId: string) =>
      given(family).when({ type: 'RemoveMember', data: { uid, memberId }, metadata: { now } });
    expectProblem(() => remove(child.uid, parent.memberId), 'forbidden');
    expectProblem(() => remove(parent.uid, 'nobody'), 'not-found');
    family.push(...remove(parent.uid, child.memberId));
    assert.deepEqual(remove(parent.uid, child.memberId), []);
  });

  test('when a parent makes the child a parent, then the child may do what parents do, and may make the first parent a child', () => {
    const family = [...created, childJoined];
    const changeRole = (uid: string, memberId: string, role: 'parent' | 'child') =>
      given(family).when({ type: 'ChangeRole', data: { uid, memberId, role }, metadata: { now } });

    const promoted = changeRole(parent.uid, child.memberId, 'parent');

    assert.deepEqual(promoted, [
      {
        type: 'MemberRoleChanged',
        data: { memberId: child.memberId, role: 'parent', changedBy: parent.memberId, changedAt: now.toISOString() },
      },
    ]);
    family.push(...promoted);
    assert.deepEqual(changeRole(parent.uid, child.memberId, 'parent'), [], 'the same role again is a retry');
    const changed = given(family).when({
      type: 'ChangeSchedule',
      data: { uid: child.uid, schedule: { ...schedule, pushTime: '07:00' } },
      metadata: { now },
    });
    assert.equal(changed[0]?.type, 'ScheduleChanged');
    family.push(...changeRole(child.uid, parent.memberId, 'child'));
    expectProblem(() => changeRole(parent.uid, child.memberId, 'child'), 'forbidden');
  });

  test('when the last parent would become a child, then it is refused; a child changes no role; an absent member is not found', () => {
    const family = [...created, childJoined];
    const changeRole = (uid: string, memberId: string, role: 'parent' | 'child') =>
      given(family).when({ type: 'ChangeRole', data: { uid, memberId, role }, metadata: { now } });
    expectProblem(() => changeRole(parent.uid, parent.memberId, 'child'), 'conflict');
    expectProblem(() => changeRole(child.uid, child.memberId, 'parent'), 'forbidden');
    expectProblem(() => changeRole(parent.uid, 'nobody', 'parent'), 'not-found');
    family.push({ type: 'MemberLeft', data: { memberId: child.memberId, leftAt: now.toISOString() } });
    expectProblem(() => changeRole(parent.uid, child.memberId, 'parent'), 'not-found');
  });

  test('when a member changes some preferences, then the others are kept, and kinds are recorded once, in order', () => {
    const events = given([...created, childJoined]).when({
      type: 'ChangePreferences',
      data: { uid: child.uid, locale: 'ko', mutedKinds: ['reminder', 'complete', 'reminder'] },
      metadata: { now },
    });
    assert.deepEqual(events, [
      {
        type: 'MemberPreferencesChanged',
        data: {
          memberId: child.memberId,
          displayName: child.displayName,
          locale: 'ko',
          mutedKinds: ['complete', 'reminder'],
          changedAt: now.toISOString(),
        },
      },
    ]);
  });

  test('when the preferences sent are those already held, then nothing is recorded', () => {
    const events = given([...created, childJoined]).when({
      type: 'ChangePreferences',
      data: { uid: child.uid, displayName: child.displayName, mutedKinds: [] },
      metadata: { now },
    });
    assert.deepEqual(events, []);
  });

  test('when a child changes the schedule, then it is forbidden', () => {
    expectProblem(
      () =>
        given([...created, childJoined]).when({
          type: 'ChangeSchedule',
          data: { uid: child.uid, schedule: { ...schedule, pushTime: '07:00' } },
          metadata: { now },
        }),
      'forbidden',
    );
  });

  test('when someone outside the family changes the schedule, then the family is not found', () => {
    expectProblem(
      () =>
        given(created).when({
          type: 'ChangeSchedule',
          data: { uid: 'stranger', schedule },
          metadata: { now },
        }),
      'not-found',
    );
  });

  test('when a parent sets quiet hours to null, then the schedule changes', () => {
    const events = given(created).when({
      type: 'ChangeSchedule',
      data: { uid: parent.uid, schedule: { ...schedule, quietHours: null } },
      metadata: { now },
    });
    assert.deepEqual(events, [
      { type: 'ScheduleChanged', data: { ...schedule, quietHours: null, changedAt: now.toISOString() } },
    ]);
  });

  test('when a parent renames the family, then it has the new name; the same name again changes nothing; a child may not', () => {
    const family = [...created, childJoined];
    const rename = (uid: string, name: string) =>
      given(family).when({ type: 'RenameFamily', data: { uid, name }, metadata: { now } });

    const renamed = rename(parent.uid, 'The Kims');

    assert.deepEqual(renamed, [
      { type: 'FamilyRenamed', data: { name: 'The Kims', renamedBy: parent.memberId, renamedAt: now.toISOString() } },
    ]);
    family.push(...renamed);
    const state = foldFamily(family);
    assert.equal(state.status === 'active' && state.name, 'The Kims');
    assert.deepEqual(rename(parent.uid, 'The Kims'), []);
    expectProblem(() => rename(child.uid, 'Jun’s'), 'forbidden');
  });

  test('when a parent changes only the reminder offset, then the schedule changes; the same offset again changes nothing', () => {
    const change = (history: FamilyEvent[]) =>
      given(history).when({
        type: 'ChangeSchedule',
        data: { uid: parent.uid, schedule: { ...schedule, reminderOffsetMinutes: 90 } },
        metadata: { now },
      });

    const events = change(created);

    assert.deepEqual(events, [
      { type: 'ScheduleChanged', data: { ...schedule, reminderOffsetMinutes: 90, changedAt: now.toISOString() } },
    ]);
    assert.deepEqual(change([...created, ...events]), []);
  });

  test('when a family was created before offsets could be chosen, then its reminders come after the default offset', () => {
    const { reminderOffsetMinutes: _, ...recorded } = schedule;
    const createdBefore: FamilyEvent = {
      type: 'FamilyCreated',
      data: { familyId, name: 'Kims', inviteCode: 'ABCDEFGH', ...recorded, createdAt: now.toISOString() },
    };

    const state = foldFamily([createdBefore]);

    assert.equal(state.status === 'active' && state.schedule.reminderOffsetMinutes, 180);
  });

  test('when a question is due, then it opens with the active members as required', () => {
    const [opened] = given([...created, childJoined]).when({
      type: 'OpenQuestion',
      data: { localDate: '2026-11-25', questionId: 'q-1', opensAt: now, timedBy: now.toISOString(), catalogue },
      metadata: { now },
    });
    assert.equal(opened?.type, 'QuestionOpened');
    assert.deepEqual(opened.type === 'QuestionOpened' && opened.data.requiredMemberIds, ['p-1', 'c-1']);
  });

  test('when a question is due ahead of its instant, then it opens at the instant, not at the decision', () => {
    const instant = new Date(now.getTime() + 5 * 60_000);
    const [opened] = given(created).when({
      type: 'OpenQuestion',
      data: { localDate: '2026-11-25', questionId: 'q-1', opensAt: instant, timedBy: now.toISOString(), catalogue },
      metadata: { now },
    });
    assert.equal(opened?.type === 'QuestionOpened' && opened.data.openedAt, instant.toISOString());
  });

  describe('when the instant of a question still held moves (a schedule change within the lead)', () => {
    const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000);
    const announce = (opensAt: Date, timedBy: Date, decidedAt = now) => ({
      type: 'OpenQuestion' as const,
      data: { localDate: '2026-11-25', questionId: 'q-1', opensAt, timedBy: timedBy.toISOString(), catalogue },
      metadata: { now: decidedAt },
    });
    const held = () => {
      const history = [...created, childJoined];
      history.push(...given(history).when(announce(at(5), at(-1))));
      return history;
    };

    test('then a newer announcement reschedules it to the new instant', () => {
      const [moved] = given(held()).when(announce(at(120), at(0)));
      assert.equal(moved?.type, 'QuestionRescheduled');
      assert.equal(moved?.type === 'QuestionRescheduled' && moved.data.openedAt, at(120).toISOString());
      assert.equal(moved?.type === 'QuestionRescheduled' && moved.data.questionId, 'q-1');
    });

    test('then a new instant already past opens it now', () => {
      const [moved] = given(held()).when(announce(at(-30), at(0)));
      assert.equal(moved?.type === 'QuestionRescheduled' && moved.data.openedAt, now.toISOString());
    });

    test('then the older announcement arriving last changes nothing, nor does a repeat', () => {
      const history = held();
      history.push(...given(history).when(announce(at(120), at(0))));
      assert.deepEqual(given(history).when(announce(at(5), at(-1))), []);
      assert.deepEqual(given(history).when(announce(at(120), at(0))), []);
    });

    test('then once the question is visible its instant no longer moves', () => {
      assert.deepEqual(given(held()).when(announce(at(120), at(6), at(6))), []);
    });

    test('then the family state shows the new instant', () => {
      const history = held();
      history.push(...given(history).when(announce(at(120), at(0))));
      const family = foldFamily(history);
      assert.equal(family.status === 'active' && family.recentQuestions.at(-1)?.openedAt, at(120).toISOString());
    });
  });

  test('when a QuestionDue arrives after its instant, then the question opens at once', () => {
    const [opened] = given(created).when({
      type: 'OpenQuestion',
      data: {
        localDate: '2026-11-25',
        questionId: 'q-1',
        opensAt: new Date(now.getTime() - 60_000),
        timedBy: now.toISOString(),
        catalogue,
      },
      metadata: { now },
    });
    assert.equal(opened?.type === 'QuestionOpened' && opened.data.openedAt, now.toISOString());
  });

  test('when the same date is due again or an older one arrives late, then nothing opens', () => {
    const history = [...created];
    const open = (localDate: string) =>
      given(history).when({
        type: 'OpenQuestion',
        data: { localDate, questionId: localDate, opensAt: now, timedBy: now.toISOString(), catalogue },
        metadata: { now },
      });
    history.push(...open('2026-11-25'));
    assert.deepEqual(open('2026-11-25'), []);
    assert.deepEqual(open('2026-11-24'), []);
    assert.equal(open('2026-11-26').length, 1);
  });

  test('when nothing has happened, then the family is absent', () => {
    assert.deepEqual(initialFamilyState(), { status: 'absent' });
    expectProblem(() => given([]).when(joining('ABCDEFGH')), 'not-found');
  });
});

describe('the catalogue, walked by a family', () => {
  const dateOf = (day: number) => new Date(Date.UTC(2026, 0, 1 + day)).toISOString().slice(0, 10);
  /** Opens a question a day on `history` (which it extends) with `catalogue`: the ids asked, in order. */
  const openDays = (history: FamilyEvent[], days: number, catalogue: Catalogue) => {
    const asked: number[] = [];
    for (let index = 0; index < days; index++) {
      const localDate = dateOf(history.length);
      const [opened] = given(history).when({
        type: 'OpenQuestion',
        data: { localDate, questionId: localDate, opensAt: now, timedBy: now.toISOString(), catalogue },
        metadata: { now },
      });
      assert.ok(opened?.type === 'QuestionOpened' && opened.data.catalogueQuestionId !== undefined);
      history.push(opened);
      asked.push(opened.data.catalogueQuestionId);
    }
    return asked;
  };

  test('when the catalogue grows mid-way, then no question repeats until every one, the new ones included, has been asked', () => {
    const history = [...created];
    const first = openDays(history, 6, catalogueOf(10, 1));
    const rest = openDays(history, 9, catalogueOf(15, 2));
    const round = [...first, ...rest];
    assert.equal(new Set(round).size, 15, `asked ${round.join(', ')}`);
    assert.ok(
      rest.some((id) => id > 10),
      'the new questions come in the same round',
    );
    // Every question asked: the next round begins, and walks the whole catalogue again.
    const next = openDays(history, 15, catalogueOf(15, 2));
    assert.equal(new Set(next).size, 15);
    const opened = history.at(-1);
    assert.equal(opened?.type === 'QuestionOpened' && opened.data.cycle, 1);
  });

  test('when the same history meets the same catalogue, then the same question opens; another family walks another order', () => {
    const walk = (id: string) => {
      const history: FamilyEvent[] = created.map((event) =>
        event.type === 'FamilyCreated' ? { ...event, data: { ...event.data, familyId: id } } : event,
      );
      return openDays(history, 20, catalogue);
    };
    assert.deepEqual(walk(familyId), walk(familyId));
    assert.notDeepEqual(walk(familyId), walk('0193f5a0-0000-7000-8000-000000000002'));
  });

  test('when a family’s questions were opened before questions had ids, then they count as asked', () => {
    const history = [...created];
    // The first catalogue's 62 questions, a day each, as they were recorded then (no ids).
    for (let day = 0; day < 62; day++) {
      const localDate = dateOf(day);
      const question = { questionId: localDate, localDate, text: { ko: '질문', en: 'Question' }, openedAt: at0 };
      history.push({ type: 'QuestionOpened', data: { ...question, day, requiredMemberIds: [] } });
    }
    const asked = openDays(history, 18, catalogue);
    assert.ok(
      asked.every((id) => id > 62),
      `asked ${asked.join(', ')}`,
    );
    assert.equal(new Set(asked).size, 18);
  });
});
