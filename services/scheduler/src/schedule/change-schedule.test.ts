import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Temporal } from 'temporal-polyfill';
import { changeSchedule, type FamilySchedule } from './change-schedule.ts';

const instant = (iso: string) => Temporal.Instant.from(iso);
const version = (occurredAt: string, eventId = '0190a000-0000-7000-8000-000000000001') => ({
  occurredAt: instant(occurredAt),
  eventId,
});
const seoul = (pushTime: string) => ({ timezone: 'Asia/Seoul', pushTime, quietHours: null });

const current: FamilySchedule = {
  schedule: seoul('09:00'),
  version: version('2026-06-01T00:00:00Z'),
  nextDueAt: instant('2026-06-03T00:00:00Z'), // 3 June 09:00 KST
  firedThrough: Temporal.PlainDate.from('2026-06-02'),
};

describe('changeSchedule', () => {
  it('when a family is new, then its first question is due at the next push time after now', () => {
    const created = changeSchedule(
      null,
      { schedule: seoul('21:00'), version: version('2026-06-02T11:00:00Z') },
      instant('2026-06-02T11:00:00Z'),
    );
    assert.equal(created?.nextDueAt.toString(), '2026-06-02T12:00:00Z');
    assert.equal(created?.firedThrough, null);
  });

  it('when FamilyCreated reaches the scheduler after the push time it was created before, then the first question is already due', () => {
    // Created at 08:59:59 KST, handled at 09:00:02 KST: today's 09:00 question is not lost.
    const created = changeSchedule(
      null,
      { schedule: seoul('09:00'), version: version('2026-06-01T23:59:59Z') },
      instant('2026-06-02T00:00:02Z'),
    );
    assert.equal(created?.nextDueAt.toString(), '2026-06-02T00:00:00Z');
  });

  it('when the push time moves later on a day already fired, then it takes effect from the next day', () => {
    // 2 June fired at 09:00; at 10:00 the family moves to 20:00: not again on 2 June.
    const changed = changeSchedule(
      current,
      { schedule: seoul('20:00'), version: version('2026-06-02T01:00:00Z') },
      instant('2026-06-02T01:00:00Z'),
    );
    assert.equal(changed?.nextDueAt.toString(), '2026-06-03T11:00:00Z');
    assert.equal(changed?.firedThrough?.toString(), '2026-06-02');
  });

  it('when the change is older than the applied schedule, then it is ignored', () => {
    const stale = changeSchedule(
      current,
      { schedule: seoul('07:00'), version: version('2026-05-31T00:00:00Z') },
      instant('2026-06-02T01:00:00Z'),
    );
    assert.equal(stale, null);
  });

  it('when two changes happened at the same instant, then the one with the greater event id wins either way round', () => {
    const a = version('2026-06-02T01:00:00Z', '0190a000-0000-7000-8000-00000000000a');
    const b = version('2026-06-02T01:00:00Z', '0190a000-0000-7000-8000-00000000000b');
    const now = instant('2026-06-02T01:00:00Z');
    const afterB = changeSchedule({ ...current, version: b }, { schedule: seoul('07:00'), version: a }, now);
    const afterA = changeSchedule({ ...current, version: a }, { schedule: seoul('07:00'), version: b }, now);
    assert.equal(afterB, null);
    assert.equal(afterA?.schedule.pushTime, '07:00');
  });

  it('when a question is overdue but not yet fired, then it stays due so that the day is not lost', () => {
    const overdue = { ...current, nextDueAt: instant('2026-06-03T00:00:00Z') };
    const changed = changeSchedule(
      overdue,
      { schedule: seoul('09:30'), version: version('2026-06-03T01:00:00Z') },
      instant('2026-06-03T01:00:00Z'),
    );
    assert.equal(changed?.nextDueAt.toString(), '2026-06-03T00:00:00Z');
  });
});
