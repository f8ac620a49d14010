import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HaruError } from '@haru/errors';
import { decideFamily, type FamilyCommand, type FamilyEvent, initialFamilyState } from './family.ts';
import { foldFamily } from './family-store.ts';

const now = new Date('2026-11-25T09:00:00Z');
const familyId = '0193f5a0-0000-7000-8000-000000000001';
const parent = { memberId: 'p-1', uid: 'uid-parent', role: 'parent', displayName: 'Mom', locale: 'ko' } as const;
const child = { memberId: 'c-1', uid: 'uid-child', role: 'child', displayName: 'Jun', locale: 'en' } as const;
const schedule = { timezone: 'Asia/Seoul', pushTime: '20:00', quietHours: { start: '22:00', end: '08:00' } };

const created: FamilyEvent[] = [
  {
    type: 'FamilyCreated',
    data: { familyId, name: 'Kims', inviteCode: 'ABCDEFGH', ...schedule, createdAt: now.toISOString() },
  },
  { type: 'MemberJoined', data: { ...parent, joinedAt: now.toISOString() } },
];
const childJoined: FamilyEvent = { type: 'MemberJoined', data: { ...child, joinedAt: now.toISOString() } };

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
      data: { familyId, name: 'Kims', inviteCode: 'ABCDEFGH', schedule, founder: parent },
      metadata: { now },
    });
    assert.deepEqual(events, created);
  });

  test('when the same uid joins twice, then no second member is recorded', () => {
    const events = given([...created, childJoined]).when({
      type: 'JoinFamily',
      data: { ...child, memberId: 'c-2' },
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

  test('when a question is due, then it opens with the active members as required', () => {
    const [opened] = given([...created, childJoined]).when({
      type: 'OpenQuestion',
      data: { localDate: '2026-11-25', questionId: 'q-1', opensAt: now },
      metadata: { now },
    });
    assert.equal(opened?.type, 'QuestionOpened');
    assert.deepEqual(opened.type === 'QuestionOpened' && opened.data.requiredMemberIds, ['p-1', 'c-1']);
  });

  test('when a question is due ahead of its instant, then it opens at the instant, not at the decision', () => {
    const instant = new Date(now.getTime() + 5 * 60_000);
    const [opened] = given(created).when({
      type: 'OpenQuestion',
      data: { localDate: '2026-11-25', questionId: 'q-1', opensAt: instant },
      metadata: { now },
    });
    assert.equal(opened?.type === 'QuestionOpened' && opened.data.openedAt, instant.toISOString());
  });

  test('when a QuestionDue arrives after its instant, then the question opens at once', () => {
    const [opened] = given(created).when({
      type: 'OpenQuestion',
      data: { localDate: '2026-11-25', questionId: 'q-1', opensAt: new Date(now.getTime() - 60_000) },
      metadata: { now },
    });
    assert.equal(opened?.type === 'QuestionOpened' && opened.data.openedAt, now.toISOString());
  });

  test('when the same date is due again or an older one arrives late, then nothing opens', () => {
    const history = [...created];
    const open = (localDate: string) =>
      given(history).when({
        type: 'OpenQuestion',
        data: { localDate, questionId: localDate, opensAt: now },
        metadata: { now },
      });
    history.push(...open('2026-11-25'));
    assert.deepEqual(open('2026-11-25'), []);
    assert.deepEqual(open('2026-11-24'), []);
    assert.equal(open('2026-11-26').length, 1);
  });

  test('when questions open day after day, then none repeats before the catalogue is exhausted', () => {
    const history = [...created];
    const texts = new Set<string>();
    for (let day = 0; day < 60; day++) {
      const localDate = new Date(Date.UTC(2026, 0, 1 + day)).toISOString().slice(0, 10);
      const events = given(history).when({
        type: 'OpenQuestion',
        data: { localDate, questionId: localDate, opensAt: now },
        metadata: { now },
      });
      history.push(...events);
      const [opened] = events;
      assert.ok(opened?.type === 'QuestionOpened');
      texts.add(opened.data.text.en);
    }
    assert.equal(texts.size, 60);
  });

  test('when nothing has happened, then the family is absent', () => {
    assert.deepEqual(initialFamilyState(), { status: 'absent' });
    expectProblem(() => given([]).when({ type: 'JoinFamily', data: child, metadata: { now } }), 'not-found');
  });
});
