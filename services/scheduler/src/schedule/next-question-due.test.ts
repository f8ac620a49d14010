import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Temporal } from 'temporal-polyfill';
import { latestQuestionDue, nextQuestionDue } from './next-question-due.ts';
import type { Schedule } from './schedule.ts';

const schedule = (timezone: string, pushTime: string): Schedule => ({ timezone, pushTime, quietHours: null });
const instant = (iso: string) => Temporal.Instant.from(iso);
const next = (timezone: string, pushTime: string, after: string) => {
  const { localDate, dueAt } = nextQuestionDue(schedule(timezone, pushTime), instant(after));
  return { localDate: localDate.toString(), dueAt: dueAt.toString() };
};

describe('nextQuestionDue', () => {
  it('when the push time is later today in Seoul, then it is due today at that local time', () => {
    assert.deepEqual(next('Asia/Seoul', '09:00', '2026-06-01T23:30:00Z'), {
      localDate: '2026-06-02',
      dueAt: '2026-06-02T00:00:00Z',
    });
  });

  it('when `after` is exactly a due instant, then the next one is the following day (strictly after)', () => {
    assert.deepEqual(next('Asia/Seoul', '09:00', '2026-06-02T00:00:00Z'), {
      localDate: '2026-06-03',
      dueAt: '2026-06-03T00:00:00Z',
    });
  });

  it('when the push time falls in the New York spring-forward gap, then it fires at the transition (03:00 EDT)', () => {
    assert.deepEqual(next('America/New_York', '02:30', '2026-03-07T08:00:00Z'), {
      localDate: '2026-03-08',
      dueAt: '2026-03-08T07:00:00Z',
    });
  });

  it('when the push time occurs twice at the New York fall-back, then it fires once, at the first occurrence', () => {
    const first = next('America/New_York', '01:30', '2026-10-31T06:00:00Z');
    assert.deepEqual(first, { localDate: '2026-11-01', dueAt: '2026-11-01T05:30:00Z' });
    // The second 01:30 (06:30Z) is not a new day: the next question is on 2 November.
    assert.deepEqual(next('America/New_York', '01:30', first.dueAt), {
      localDate: '2026-11-02',
      dueAt: '2026-11-02T06:30:00Z',
    });
  });

  it('when Lord Howe springs forward by 30 minutes, then a push time in the gap fires at 02:30 +11:00', () => {
    assert.deepEqual(next('Australia/Lord_Howe', '02:15', '2026-10-03T00:00:00Z'), {
      localDate: '2026-10-04',
      dueAt: '2026-10-03T15:30:00Z',
    });
  });

  it('when Lord Howe falls back by 30 minutes, then a repeated push time fires at its first occurrence (+11:00)', () => {
    const first = next('Australia/Lord_Howe', '01:45', '2026-04-04T00:00:00Z');
    assert.deepEqual(first, { localDate: '2026-04-05', dueAt: '2026-04-04T14:45:00Z' });
    assert.equal(next('Australia/Lord_Howe', '01:45', first.dueAt).localDate, '2026-04-06');
  });

  it('when the zone is Kathmandu (+05:45), then 09:00 is 03:15Z', () => {
    assert.deepEqual(next('Asia/Kathmandu', '09:00', '2026-06-01T00:00:00Z'), {
      localDate: '2026-06-01',
      dueAt: '2026-06-01T03:15:00Z',
    });
  });

  it('when the zone is Chatham, then it follows +12:45 in winter and +13:45 in summer, gap included', () => {
    assert.deepEqual(next('Pacific/Chatham', '09:00', '2026-06-30T12:00:00Z'), {
      localDate: '2026-07-01',
      dueAt: '2026-06-30T20:15:00Z',
    });
    assert.deepEqual(next('Pacific/Chatham', '09:00', '2026-12-31T12:00:00Z'), {
      localDate: '2027-01-01',
      dueAt: '2026-12-31T19:15:00Z',
    });
    // 02:45 → 03:45 on 27 September 2026: 03:00 does not exist and fires at 03:45 +13:45.
    assert.deepEqual(next('Pacific/Chatham', '03:00', '2026-09-26T00:00:00Z'), {
      localDate: '2026-09-27',
      dueAt: '2026-09-26T14:00:00Z',
    });
  });

  it('when Sydney changes clocks (southern hemisphere), then the gap fires at 03:00 and the overlap at the first 02:30', () => {
    assert.deepEqual(next('Australia/Sydney', '02:30', '2026-10-03T00:00:00Z'), {
      localDate: '2026-10-04',
      dueAt: '2026-10-03T16:00:00Z',
    });
    assert.deepEqual(next('Australia/Sydney', '02:30', '2026-04-04T00:00:00Z'), {
      localDate: '2026-04-05',
      dueAt: '2026-04-04T15:30:00Z',
    });
  });

  it('when Santiago springs forward at midnight, then 00:30 that day fires at 01:00 -03:00 on the same local date', () => {
    assert.deepEqual(next('America/Santiago', '00:30', '2026-09-05T12:00:00Z'), {
      localDate: '2026-09-06',
      dueAt: '2026-09-06T04:00:00Z',
    });
  });

  it('when Santiago falls back at midnight, then 23:30 on the repeated evening fires once, at -03:00', () => {
    const first = next('America/Santiago', '23:30', '2026-04-04T12:00:00Z');
    assert.deepEqual(first, { localDate: '2026-04-04', dueAt: '2026-04-05T02:30:00Z' });
    assert.deepEqual(next('America/Santiago', '23:30', first.dueAt), {
      localDate: '2026-04-05',
      dueAt: '2026-04-06T03:30:00Z',
    });
  });

  it('when a date has already fired, then it is skipped even if its due instant is still ahead', () => {
    // The family moved from Seoul to New York after Seoul's 9 May question fired:
    // New York's 9 May 09:00 is still ahead, but the date has had its question.
    const { localDate } = nextQuestionDue(
      schedule('America/New_York', '09:00'),
      instant('2026-05-09T01:00:00Z'),
      Temporal.PlainDate.from('2026-05-09'),
    );
    assert.equal(localDate.toString(), '2026-05-10');
  });
});

describe('latestQuestionDue', () => {
  it('when asked at the due instant itself, then that occurrence is the latest', () => {
    const { localDate, dueAt } = latestQuestionDue(schedule('Asia/Seoul', '09:00'), instant('2026-06-02T00:00:00Z'));
    assert.deepEqual([localDate.toString(), dueAt.toString()], ['2026-06-02', '2026-06-02T00:00:00Z']);
  });

  it('when asked just before today’s push time, then yesterday’s is the latest', () => {
    const { localDate } = latestQuestionDue(schedule('Asia/Seoul', '09:00'), instant('2026-06-01T23:59:59Z'));
    assert.equal(localDate.toString(), '2026-06-01');
  });
});
