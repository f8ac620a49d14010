import assert from 'node:assert/strict';
import { it } from 'node:test';
import { awkwardTimeZones as zones } from '@haru/testing';
import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { nextQuestionDue } from './next-question-due.ts';

const twoDigits = (n: number) => String(n).padStart(2, '0');
// Push times weighted towards the small hours, where gaps and overlaps happen.
const pushTime = fc
  .tuple(
    fc.oneof(
      { weight: 3, arbitrary: fc.integer({ min: 0, max: 3 }) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 23 }) },
    ),
    fc.oneof(fc.constantFrom(0, 15, 30, 45), fc.integer({ min: 0, max: 59 })),
  )
  .map(([hour, minute]) => `${twoDigits(hour)}:${twoDigits(minute)}`);
const start = fc
  .integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2030, 0, 1) })
  .map((ms) => Temporal.Instant.fromEpochMilliseconds(ms));
const daysWalked = 2 * 366;

const wallClock = (instant: Temporal.Instant, timezone: string) =>
  instant.toZonedDateTimeISO(timezone).toPlainDateTime();
const offsetAt = (epochMs: number, timezone: string) =>
  Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO(timezone).offsetNanoseconds / 1e6;

/**
 * Every instant whose wall clock in the zone reads `target`, found without the code under
 * test: each offset the zone uses around that time gives a candidate, which is real when
 * the zone does use that offset at the candidate instant.
 */
function instantsShowing(target: Temporal.PlainDateTime, timezone: string): number[] {
  const asUtc = target.toZonedDateTime('UTC').epochMilliseconds;
  const offsets = new Set<number>();
  // Offsets span -12:00…+14:00, so candidates lie within 16 hours; zones change offset at
  // most twice a year, so samples eight hours apart see every offset in use.
  for (let hours = -16; hours <= 16; hours += 8) offsets.add(offsetAt(asUtc + hours * 3_600_000, timezone));
  return [...offsets]
    .map((offset) => asUtc - offset)
    .filter((candidate) => offsetAt(candidate, timezone) === asUtc - candidate);
}

it('when walking two years of days in any zone at any push time, then each local date is due exactly once, at its push time or the first instant after a gap', () => {
  fc.assert(
    fc.property(fc.constantFrom(...zones), pushTime, start, (timezone, time, from) => {
      const schedule = { timezone, pushTime: time, quietHours: null };
      let previous = nextQuestionDue(schedule, from);
      for (let day = 0; day < daysWalked; day += 1) {
        const current = nextQuestionDue(schedule, previous.dueAt);
        assert.equal(
          current.localDate.toString(),
          previous.localDate.add({ days: 1 }).toString(),
          'no date skipped or doubled',
        );
        assert.ok(Temporal.Instant.compare(current.dueAt, previous.dueAt) > 0, 'due instants move forward');

        const target = current.localDate.toPlainDateTime(Temporal.PlainTime.from(time));
        const showing = instantsShowing(target, timezone);
        const dueMs = current.dueAt.epochMilliseconds;
        if (showing.length > 0) {
          assert.equal(dueMs, Math.min(...showing), `${target} in ${timezone}: at its first occurrence`);
        } else {
          // In a gap: the wall clock jumps over the push time exactly at the due instant.
          assert.ok(
            Temporal.PlainDateTime.compare(wallClock(current.dueAt, timezone), target) > 0,
            `${target} gap end`,
          );
          const justBefore = Temporal.Instant.fromEpochMilliseconds(dueMs - 1);
          assert.ok(Temporal.PlainDateTime.compare(wallClock(justBefore, timezone), target) < 0, `${target} gap start`);
        }
        previous = current;
      }
    }),
    { numRuns: 25 },
  );
});
