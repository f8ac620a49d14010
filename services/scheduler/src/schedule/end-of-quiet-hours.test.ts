import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Temporal } from 'temporal-polyfill';
import { endOfQuietHours } from './end-of-quiet-hours.ts';

const instant = (iso: string) => Temporal.Instant.from(iso);
const nightly = { start: '22:00', end: '08:00' };
const end = (quietHours: { start: string; end: string } | null, timezone: string, at: string) =>
  endOfQuietHours(quietHours, timezone, instant(at))?.toString() ?? null;

describe('endOfQuietHours', () => {
  it('when the instant is late evening inside a window that wraps midnight, then it ends the next morning', () => {
    assert.equal(end(nightly, 'Asia/Seoul', '2026-06-02T14:30:00Z'), '2026-06-02T23:00:00Z'); // 23:30 KST → 08:00
  });

  it('when the instant is early morning inside a wrapping window, then it ends the same morning', () => {
    assert.equal(end(nightly, 'Asia/Seoul', '2026-06-02T20:00:00Z'), '2026-06-02T23:00:00Z'); // 05:00 KST → 08:00
  });

  it('when the instant is at the start, then it is inside; at the end, then it is outside', () => {
    assert.equal(end(nightly, 'Asia/Seoul', '2026-06-02T13:00:00Z'), '2026-06-02T23:00:00Z'); // 22:00 KST
    assert.equal(end(nightly, 'Asia/Seoul', '2026-06-02T23:00:00Z'), null); // 08:00 KST
  });

  it('when the window does not wrap, then only times between start and end are inside', () => {
    const afternoon = { start: '13:00', end: '15:00' };
    assert.equal(end(afternoon, 'Asia/Seoul', '2026-06-02T05:00:00Z'), '2026-06-02T06:00:00Z'); // 14:00 KST
    assert.equal(end(afternoon, 'Asia/Seoul', '2026-06-02T07:00:00Z'), null); // 16:00 KST
  });

  it('when quiet hours are null or empty, then nothing is ever inside', () => {
    assert.equal(end(null, 'Asia/Seoul', '2026-06-02T14:30:00Z'), null);
    assert.equal(end({ start: '22:00', end: '22:00' }, 'Asia/Seoul', '2026-06-02T13:00:00Z'), null);
  });

  it('when the window ends in a spring-forward gap, then it ends at the first valid instant after it', () => {
    // Quiet until 02:30 on 8 March 2026 in New York: 02:30 does not exist, so 03:00 EDT.
    assert.equal(
      end({ start: '22:00', end: '02:30' }, 'America/New_York', '2026-03-08T04:00:00Z'),
      '2026-03-08T07:00:00Z',
    );
  });
});
