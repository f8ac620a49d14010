import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Temporal } from 'temporal-polyfill';
import { completePushDueAt } from './complete-push-due-at.ts';

const instant = (iso: string) => Temporal.Instant.from(iso);
const nightly = { start: '22:00', end: '08:00' };

describe('completePushDueAt', () => {
  const seoul = { timezone: 'Asia/Seoul', quietHours: nightly };

  it('when completed in the afternoon, then the push is due at completion', () => {
    const due = completePushDueAt(
      { openedAt: instant('2026-06-02T00:00:00Z'), completedAt: instant('2026-06-02T06:00:00Z') },
      seoul,
    );
    assert.equal(due.toString(), '2026-06-02T06:00:00Z');
  });

  it('when completed inside quiet hours, then the push waits for their end', () => {
    const due = completePushDueAt(
      { openedAt: instant('2026-06-02T00:00:00Z'), completedAt: instant('2026-06-02T14:00:00Z') },
      seoul,
    );
    assert.equal(due.toString(), '2026-06-02T23:00:00Z');
  });

  it('when completion is reported before the question opened, then the push waits for the opening', () => {
    const due = completePushDueAt(
      { openedAt: instant('2026-06-02T01:00:00Z'), completedAt: instant('2026-06-02T00:59:00Z') },
      seoul,
    );
    assert.equal(due.toString(), '2026-06-02T01:00:00Z');
  });
});
