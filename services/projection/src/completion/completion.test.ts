import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { completedAt } from './completion.ts';

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
