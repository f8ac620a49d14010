import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { publishesPerSecond } from '../support/publishes.ts';

describe('SNS publishes around an instant, from the outbox relays’ running totals', () => {
  const instant = new Date('2026-12-07T20:35:00.000Z');
  const at = (seconds: number) => instant.getTime() + seconds * 1000;

  it('when the totals are sampled every second, then each second gives what was published in it', () => {
    const samples = [
      { at: at(-11), total: 100 },
      ...Array.from({ length: 32 }, (_, index) => ({
        at: at(index - 10),
        total: 100 + (index >= 12 ? 4 * (index - 11) : 0),
      })),
    ];
    const seconds = publishesPerSecond(samples, instant);
    assert.equal(seconds.length, 31);
    assert.deepEqual(seconds.slice(9, 13), [
      { second: -1, published: 0 },
      { second: 0, published: 0 },
      { second: 1, published: 4 },
      { second: 2, published: 4 },
    ]);
  });

  it('when the sampler stopped 3.5 s after the instant, then the seconds after its last sample are not listed as none', () => {
    const samples = Array.from({ length: 15 }, (_, index) => ({ at: at(index - 11 + 0.5), total: 10 * index }));
    const seconds = publishesPerSecond(samples, instant);
    assert.deepEqual(
      seconds.map(({ second }) => second),
      [-10, -9, -8, -7, -6, -5, -4, -3, -2, -1, 0, 1, 2],
    );
    assert.ok(seconds.every(({ published }) => published === 10));
  });

  it('when nothing was sampled, then no second is listed', () => {
    assert.deepEqual(publishesPerSecond([], instant), []);
  });
});
