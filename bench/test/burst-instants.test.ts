import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { questionsAheadSeconds, remindersAheadSeconds, wholeMinuteAfter } from '../support/burst-instants.ts';

describe('how far ahead the burst benchmark sets its instants', () => {
  const pace = { leadMs: 300_000, prepareRate: 75 };
  // What the scheduler's count of a crowd asks for (due-tick/announce-horizon.ts): the
  // families due by the instant need (their number ÷ the rate) seconds before the lead.
  const countAsks = (families: number) => pace.leadMs / 1000 + families / pace.prepareRate;

  it('when a burst fits in the lead, then its questions are set within it and its reminders the lead and a minute ahead', () => {
    assert.equal(questionsAheadSeconds(1_000, pace), 60);
    assert.equal(questionsAheadSeconds(10_000, pace), 180);
    assert.equal(remindersAheadSeconds(1_000, pace), 360);
    assert.equal(remindersAheadSeconds(10_000, pace), 360);
  });

  it('when a crowd does not fit in the lead, then its questions and its reminders are both set past what the scheduler’s count asks for', () => {
    assert.ok(questionsAheadSeconds(100_000, pace) > countAsks(100_000));
    assert.ok(remindersAheadSeconds(100_000, pace) > countAsks(100_000));
    assert.equal(remindersAheadSeconds(100_000, pace), questionsAheadSeconds(100_000, pace));
  });

  it('when an instant is set, then it is the first whole minute at least that far ahead', () => {
    const now = Date.parse('2026-12-07T23:08:30.500Z');
    assert.equal(wholeMinuteAfter(now, 60).toISOString(), '2026-12-07T23:10:00.000Z');
    assert.equal(
      wholeMinuteAfter(Date.parse('2026-12-07T23:08:00.000Z'), 60).toISOString(),
      '2026-12-07T23:09:00.000Z',
    );
  });
});
