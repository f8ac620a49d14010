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

  describe('when the push time changes while a question is announced ahead of its instant', () => {
    // 3 June's 09:00 question was announced at 08:55 (the lead); at 08:57 the family moves.
    const announced = { localDate: Temporal.PlainDate.from('2026-06-03'), dueAt: instant('2026-06-03T00:00:00Z') };
    const prepared = { ...current, nextDueAt: instant('2026-06-04T00:00:00Z'), firedThrough: announced.localDate };
    const at0857 = instant('2026-06-02T23:57:00Z');

    it('then the question keeps its date and moves to the new time', () => {
      const changed = changeSchedule(
        prepared,
        { schedule: seoul('20:00'), version: version('2026-06-02T23:57:00Z') },
        at0857,
        announced,
      );
      assert.equal(changed?.announce?.as, 'retime');
      assert.equal(changed?.announce?.occurrence.localDate.toString(), '2026-06-03');
      assert.equal(changed?.announce?.occurrence.dueAt.toString(), '2026-06-03T11:00:00Z');
      assert.equal(changed?.nextDueAt.toString(), '2026-06-04T11:00:00Z', 'and the next day follows the new time');
    });

    it('then a new time that has already passed opens it at once', () => {
      const changed = changeSchedule(
        prepared,
        { schedule: seoul('07:00'), version: version('2026-06-02T23:57:00Z') },
        at0857,
        announced,
      );
      assert.equal(changed?.announce?.occurrence.dueAt.toString(), at0857.toString());
    });

    it('then a change of quiet hours alone moves nothing', () => {
      const changed = changeSchedule(
        prepared,
        {
          schedule: { ...seoul('09:00'), quietHours: { start: '23:00', end: '07:00' } },
          version: version('2026-06-02T23:57:00Z'),
        },
        at0857,
        announced,
      );
      assert.equal(changed?.announce, undefined);
    });
  });

  it('when the push time moves earlier than now on a day whose question was still to come, then it fires at once', () => {
    // 3 June at 10:00 KST, the question due at 21:00 moves to 09:00: 3 June is not lost.
    const evening = { ...current, schedule: seoul('21:00'), nextDueAt: instant('2026-06-03T12:00:00Z') };
    const now = instant('2026-06-03T01:00:00Z');
    const changed = changeSchedule(
      evening,
      { schedule: seoul('09:00'), version: version('2026-06-03T01:00:00Z') },
      now,
    );
    assert.equal(changed?.announce?.as, 'fire');
    assert.equal(changed?.announce?.occurrence.localDate.toString(), '2026-06-03');
    assert.equal(changed?.announce?.occurrence.dueAt.toString(), now.toString());
    assert.equal(changed?.firedThrough?.toString(), '2026-06-03');
    assert.equal(changed?.nextDueAt.toString(), '2026-06-04T00:00:00Z');
  });

  it('when the push time moves earlier than now on a day whose question was not coming, then nothing fires today', () => {
    // Created today after 09:00: its first question is tomorrow; moving to 08:00 changes nothing today.
    const newFamily = { ...current, firedThrough: null, nextDueAt: instant('2026-06-04T00:00:00Z') };
    const changed = changeSchedule(
      newFamily,
      { schedule: seoul('08:00'), version: version('2026-06-03T01:00:00Z') },
      instant('2026-06-03T01:00:00Z'),
    );
    assert.equal(changed?.announce, undefined);
    assert.equal(changed?.nextDueAt.toString(), '2026-06-03T23:00:00Z');
  });
});
