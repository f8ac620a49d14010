import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Temporal } from 'temporal-polyfill';
import { decideReminder, type ReminderAudience } from './decide-reminder.ts';
import { reminderDueAt } from './reminder-due-at.ts';

const instant = (iso: string) => Temporal.Instant.from(iso);
const nightly = { start: '22:00', end: '08:00' };

describe('reminderDueAt', () => {
  const seoul = { timezone: 'Asia/Seoul', quietHours: nightly, reminderOffsetMinutes: 180 };

  it('when the question opens at 09:00, then the reminder is due at 12:00', () => {
    assert.equal(reminderDueAt(instant('2026-06-02T00:00:00Z'), seoul).toString(), '2026-06-02T03:00:00Z');
  });

  it('when the offset lands inside quiet hours, then the reminder waits for their end', () => {
    // Opened 20:30 KST + 3 h = 23:30 KST, inside 22:00–08:00 → 08:00 the next morning.
    assert.equal(reminderDueAt(instant('2026-06-02T11:30:00Z'), seoul).toString(), '2026-06-02T23:00:00Z');
  });

  it('when the family has its own offset and no quiet hours, then that offset applies, whatever the hour', () => {
    const night = { timezone: 'Asia/Seoul', quietHours: null, reminderOffsetMinutes: 45 };
    assert.equal(reminderDueAt(instant('2026-06-02T14:00:00Z'), night).toString(), '2026-06-02T14:45:00Z');
  });

  it('when the offset lands in quiet hours ending in a spring-forward gap, then it is due at the first valid instant', () => {
    const newYork = {
      timezone: 'America/New_York',
      quietHours: { start: '22:00', end: '02:30' },
      reminderOffsetMinutes: 180,
    };
    // Opened 21:00 EST on 7 March 2026 + 3 h = 00:00; 02:30 does not exist on 8 March → 03:00 EDT.
    assert.equal(reminderDueAt(instant('2026-03-08T02:00:00Z'), newYork).toString(), '2026-03-08T07:00:00Z');
  });
});

describe('decideReminder', () => {
  const [mother, child] = ['m', 'c'];
  const due = {
    dueAt: instant('2026-06-02T03:00:00Z'),
    now: instant('2026-06-02T03:00:00.300Z'),
    catchUpWindowMinutes: 180,
  };
  const audience = (changes: Partial<ReminderAudience> = {}): ReminderAudience => ({
    awaitedMemberIds: [mother, child],
    complete: false,
    ...changes,
  });

  it('when the projection still awaits some members, then exactly they are reminded', () => {
    assert.deepEqual(decideReminder(audience(), due), { remind: [mother, child] });
  });

  it('when the question is complete, then the reminder is skipped', () => {
    assert.deepEqual(decideReminder(audience({ complete: true }), due), { skip: 'complete' });
  });

  it('when nobody is awaited but completion is not reported yet, then the reminder is skipped', () => {
    assert.deepEqual(decideReminder(audience({ awaitedMemberIds: [] }), due), { skip: 'everyone-answered' });
  });

  it('when the projection has not seen the question open, then the reminder waits for a later tick', () => {
    assert.deepEqual(decideReminder(undefined, due), { wait: true });
  });

  it('when the reminder is older than the catch-up window, then it is skipped, known or not; at the window, it is sent', () => {
    const atWindow = { ...due, now: instant('2026-06-02T06:00:00Z') };
    const pastWindow = { ...due, now: instant('2026-06-02T06:00:00.001Z') };
    assert.deepEqual(decideReminder(audience(), atWindow), { remind: [mother, child] });
    assert.deepEqual(decideReminder(audience(), pastWindow), { skip: 'stale' });
    assert.deepEqual(decideReminder(undefined, pastWindow), { skip: 'stale' });
  });
});
