import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HaruError } from '@haru/errors';
import { foldFamily } from '../families/family.repository.ts';
import type { FamilyEvent } from '../families/family.ts';
import { decideQuestion, evolveQuestion, initialQuestionState, type QuestionEvent } from './question.ts';

const now = new Date('2026-11-25T12:00:00Z');
const at = now.toISOString();
const schedule = { timezone: 'Asia/Seoul', pushTime: '20:00', quietHours: null };
const member = (memberId: string, uid: string, role: 'parent' | 'child') =>
  ({ type: 'MemberJoined', data: { memberId, uid, role, displayName: memberId, locale: 'en', joinedAt: at } }) as const;
const opened = (questionId: string, localDate: string, openedAt = at): FamilyEvent => ({
  type: 'QuestionOpened',
  data: {
    questionId,
    localDate,
    day: 0,
    text: { ko: '질문', en: 'Question' },
    openedAt,
    requiredMemberIds: ['p', 'c'],
  },
});
const family: FamilyEvent[] = [
  { type: 'FamilyCreated', data: { familyId: 'f', name: 'Kims', inviteCode: 'ABCDEFGH', ...schedule, createdAt: at } },
  member('p', 'uid-p', 'parent'),
  member('c', 'uid-c', 'child'),
  opened('q1', '2026-11-25'),
];
const answered = (memberId: string, text: string): QuestionEvent => ({
  type: 'AnswerSubmitted',
  data: { questionId: 'q1', memberId, text, answeredAt: at },
});

/** Given the family's and the question's events, when a member answers: the events decided. */
const given = (familyEvents: FamilyEvent[], questionEvents: QuestionEvent[] = []) => ({
  whenAnswering: (uid: string, text: string, questionId = 'q1') =>
    decideQuestion(
      { type: 'SubmitAnswer', data: { questionId, uid, text }, metadata: { now } },
      foldFamily(familyEvents),
      questionEvents.reduce(evolveQuestion, initialQuestionState()),
    ),
});

const problem = (kind: HaruError['kind']) => (error: unknown) => error instanceof HaruError && error.kind === kind;

describe('question decider', () => {
  test('when a member answers the open question, then the answer is recorded as theirs', () => {
    assert.deepEqual(given(family).whenAnswering('uid-c', 'Soccer'), [answered('c', 'Soccer')]);
  });

  test('when the same answer comes again, then nothing new is recorded', () => {
    assert.deepEqual(given(family, [answered('c', 'Soccer')]).whenAnswering('uid-c', 'Soccer'), []);
  });

  test('when a different answer comes after one was given, then it is a conflict', () => {
    assert.throws(() => given(family, [answered('c', 'Soccer')]).whenAnswering('uid-c', 'Piano'), problem('conflict'));
  });

  test('when the question is no longer the open one, then answering it is a conflict', () => {
    const nextDay = [...family, opened('q2', '2026-11-26')];
    assert.throws(() => given(nextDay).whenAnswering('uid-c', 'Late'), problem('conflict'));
  });

  test('when the next question is prepared but its instant has not come, then answering it is a conflict', () => {
    const later = new Date(now.getTime() + 60_000).toISOString();
    const prepared = [...family, opened('q2', '2026-11-26', later)];
    assert.throws(() => given(prepared).whenAnswering('uid-c', 'Early', 'q2'), problem('conflict'));
  });

  test('when the next question is prepared but its instant has not come, then the current one is still answered', () => {
    const later = new Date(now.getTime() + 60_000).toISOString();
    const prepared = [...family, opened('q2', '2026-11-26', later)];
    assert.deepEqual(given(prepared).whenAnswering('uid-c', 'Soccer'), [answered('c', 'Soccer')]);
  });

  test('when the question is unknown to the family, then it is not found', () => {
    assert.throws(() => given(family).whenAnswering('uid-c', 'x', 'q-other'), problem('not-found'));
  });

  test('when someone outside the family answers, then the family is not found', () => {
    assert.throws(() => given(family).whenAnswering('uid-stranger', 'x'), problem('not-found'));
  });

  test('when a member who left answers, then they are no longer in the family', () => {
    const left: FamilyEvent = { type: 'MemberLeft', data: { memberId: 'c', leftAt: at } };
    assert.throws(() => given([...family, left]).whenAnswering('uid-c', 'x'), problem('not-found'));
  });
});
