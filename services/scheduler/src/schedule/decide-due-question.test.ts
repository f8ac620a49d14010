import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Temporal } from 'temporal-polyfill';
import { decideDueQuestion } from './decide-due-question.ts';

const seoulNine = { timezone: 'Asia/Seoul', pushTime: '09:00', quietHours: null };
const decide = (now: string, firedThrough: string | null, catchUpWindowMinutes = 180) => {
  const { fire, next } = decideDueQuestion(seoulNine, {
    now: Temporal.Instant.from(now),
    firedThrough: firedThrough ? Temporal.PlainDate.from(firedThrough) : null,
    catchUpWindowMinutes,
  });
  return {
    fire: fire && { localDate: fire.localDate.toString(), dueAt: fire.dueAt.toString() },
    next: { localDate: next.localDate.toString(), dueAt: next.dueAt.toString() },
  };
};

describe('decideDueQuestion', () => {
  it('when the tick runs just after the push time, then today’s question fires and tomorrow’s is next', () => {
    assert.deepEqual(decide('2026-06-02T00:00:00.400Z', '2026-06-01'), {
      fire: { localDate: '2026-06-02', dueAt: '2026-06-02T00:00:00Z' },
      next: { localDate: '2026-06-03', dueAt: '2026-06-03T00:00:00Z' },
    });
  });

  it('when the service was down for three days, then only the latest missed question fires', () => {
    // Last fired 30 May; back up on 2 June at 10:30 KST, 90 minutes after that day's push.
    assert.deepEqual(decide('2026-06-02T01:30:00Z', '2026-05-30'), {
      fire: { localDate: '2026-06-02', dueAt: '2026-06-02T00:00:00Z' },
      next: { localDate: '2026-06-03', dueAt: '2026-06-03T00:00:00Z' },
    });
  });

  it('when the latest missed question is older than the catch-up window, then nothing fires and the next future one is due', () => {
    // Back up at 12:01 KST with a 180-minute window: 09:00 is 181 minutes ago.
    assert.deepEqual(decide('2026-06-02T03:01:00Z', '2026-05-30'), {
      fire: null,
      next: { localDate: '2026-06-03', dueAt: '2026-06-03T00:00:00Z' },
    });
  });

  it('when the latest question is exactly at the edge of the window, then it still fires', () => {
    assert.equal(decide('2026-06-02T03:00:00Z', '2026-06-01').fire?.localDate, '2026-06-02');
  });

  it('when the latest question’s date already fired, then nothing fires again', () => {
    assert.deepEqual(decide('2026-06-02T00:00:05Z', '2026-06-02'), {
      fire: null,
      next: { localDate: '2026-06-03', dueAt: '2026-06-03T00:00:00Z' },
    });
  });
});
