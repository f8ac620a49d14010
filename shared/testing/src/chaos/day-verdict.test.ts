import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AcceptedPush, dayVerdict, type ExpectedDevice, inDoubtWindowMs } from './day-verdict.ts';

const devices: ExpectedDevice[] = [
  { token: 'mom-phone', familyId: 'kims' },
  { token: 'jun-phone', familyId: 'kims' },
];

const push = (token: string, kind: string, receivedAt: number, overrides: Partial<AcceptedPush> = {}) => ({
  token,
  kind,
  familyId: 'kims',
  questionId: 'q1',
  notificationId: `kims-q1-${kind}`,
  receivedAt,
  ...overrides,
});

const wholeDay = [
  push('mom-phone', 'question', 1),
  push('jun-phone', 'question', 2),
  push('mom-phone', 'complete', 3),
  push('jun-phone', 'complete', 4),
];

describe('the verdict on a day', () => {
  it('when every device got its question and complete push once, then nothing is lost, duplicated or unexpected', () => {
    assert.deepEqual(dayVerdict(devices, wholeDay, []), { lost: [], duplicate: [], inDoubtResent: [], unexpected: [] });
  });

  it('when a device missed its complete push, then that push is lost', () => {
    const verdict = dayVerdict(devices, wholeDay.slice(0, 3), []);
    assert.deepEqual(verdict.lost, [{ token: 'jun-phone', familyId: 'kims', kind: 'complete' }]);
  });

  it('when a push is accepted twice with no interruption between, then it is a duplicate', () => {
    const again = push('mom-phone', 'question', 10);
    const verdict = dayVerdict(devices, [...wholeDay, again], [{ at: 0, what: 'notifier killed' }]);
    assert.deepEqual(verdict.duplicate, [{ first: wholeDay[0], again }]);
    assert.deepEqual(verdict.inDoubtResent, []);
  });

  it('when the notifier was killed while the first send was unrecorded, then the second copy is an in-doubt resend', () => {
    const again = push('mom-phone', 'question', 20);
    const verdict = dayVerdict(devices, [...wholeDay, again], [{ at: 5, what: 'notifier killed' }]);
    assert.deepEqual(verdict.inDoubtResent, [{ first: wholeDay[0], again }]);
    assert.deepEqual(verdict.duplicate, []);
  });

  it('when the interruption came long after the first send was accepted, then it does not explain a second copy', () => {
    const later = 1 + inDoubtWindowMs + 1;
    const again = push('mom-phone', 'question', later + 5);
    const verdict = dayVerdict(devices, [...wholeDay, again], [{ at: later, what: 'notifier killed' }]);
    assert.equal(verdict.duplicate.length, 1);
  });

  it('when a device gets a second question, another kind, another family or an unknown token, then each is unexpected', () => {
    const strays = [
      push('mom-phone', 'question', 5, { questionId: 'q2', notificationId: 'kims-q2-question' }),
      push('jun-phone', 'reminder', 6),
      push('jun-phone', 'complete', 7, { familyId: 'parks' }),
      push('stranger-phone', 'question', 8),
    ];
    const verdict = dayVerdict(devices, [...wholeDay, ...strays], []);
    assert.deepEqual(verdict.unexpected, strays);
    assert.deepEqual(verdict.lost, []);
  });

  it('when the only complete push a device got was for another question, then it is unexpected and the right one lost', () => {
    const wrong = push('jun-phone', 'complete', 4, { questionId: 'q0', notificationId: 'kims-q0-complete' });
    const verdict = dayVerdict(devices, [...wholeDay.slice(0, 3), wrong], []);
    assert.deepEqual(verdict.unexpected, [wrong]);
    assert.deepEqual(verdict.lost, [{ token: 'jun-phone', familyId: 'kims', kind: 'complete' }]);
  });
});
