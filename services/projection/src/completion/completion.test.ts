import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { awaitedMembers, completedAt } from './completion.ts';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 25, 12, minute));

describe('completion', () => {
  test('when every required member answered, then it completed at the last answer', () => {
    const result = completedAt({
      requiredMemberIds: ['a', 'b'],
      answeredAt: new Map([
        ['a', at(5)],
        ['b', at(9)],
      ]),
      leftAt: new Map(),
    });
    assert.deepEqual(result, at(9));
  });

  test('when a required member has not answered, then it is not complete', () => {
    const result = completedAt({
      requiredMemberIds: ['a', 'b'],
      answeredAt: new Map([['a', at(5)]]),
      leftAt: new Map(),
    });
    assert.equal(result, null);
  });

  test('when the missing member leaves, then they stop blocking', () => {
    const result = completedAt({
      requiredMemberIds: ['a', 'b'],
      answeredAt: new Map([['a', at(5)]]),
      leftAt: new Map([['b', at(7)]]),
    });
    assert.deepEqual(result, at(7));
  });

  test('when someone joined after the question opened, then they do not block it', () => {
    const result = completedAt({
      requiredMemberIds: ['a'],
      answeredAt: new Map([['a', at(5)]]),
      leftAt: new Map(),
    });
    assert.deepEqual(result, at(5));
  });

  test('when answers arrive before the question is known, then nothing completes yet', () => {
    assert.equal(
      completedAt({ requiredMemberIds: null, answeredAt: new Map([['a', at(5)]]), leftAt: new Map() }),
      null,
    );
  });

  test('when every required member left without answering, then it is abandoned, not completed', () => {
    const result = completedAt({ requiredMemberIds: ['a'], answeredAt: new Map(), leftAt: new Map([['a', at(1)]]) });
    assert.equal(result, null);
  });
});

describe('awaited members', () => {
  const required = ['mother', 'father', 'child'];

  test('when some required members have not answered, then exactly they are awaited', () => {
    const awaited = awaitedMembers({
      requiredMemberIds: required,
      answeredAt: new Map([['father', at(5)]]),
      leftAt: new Map(),
    });
    assert.deepEqual(awaited, ['mother', 'child']);
  });

  test('when a member has left, then they are not awaited', () => {
    const awaited = awaitedMembers({
      requiredMemberIds: required,
      answeredAt: new Map(),
      leftAt: new Map([['child', at(3)]]),
    });
    assert.deepEqual(awaited, ['mother', 'father']);
  });

  test('when a member who joined later answered, then that changes nothing for the required ones', () => {
    const awaited = awaitedMembers({
      requiredMemberIds: ['mother'],
      answeredAt: new Map([['newcomer', at(1)]]),
      leftAt: new Map(),
    });
    assert.deepEqual(awaited, ['mother']);
  });

  test('when everyone answered or left, then nobody is awaited', () => {
    const awaited = awaitedMembers({
      requiredMemberIds: required,
      answeredAt: new Map([
        ['mother', at(1)],
        ['father', at(2)],
      ]),
      leftAt: new Map([['child', at(3)]]),
    });
    assert.deepEqual(awaited, []);
  });

  test('when the question has not been seen to open, then who is awaited is unknown', () => {
    assert.equal(
      awaitedMembers({ requiredMemberIds: null, answeredAt: new Map([['mother', at(1)]]), leftAt: new Map() }),
      null,
    );
  });
});
