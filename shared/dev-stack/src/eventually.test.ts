import assert from 'node:assert/strict';
import { it } from 'node:test';
import { eventually } from './eventually.ts';

it('when the check becomes truthy, then eventually returns its value', async () => {
  let calls = 0;

  const value = await eventually(() => (++calls >= 3 ? { calls } : undefined), { intervalMs: 1 });

  assert.deepEqual(value, { calls: 3 });
});

it('when the check stops throwing, then eventually returns its value', async () => {
  let calls = 0;

  const value = await eventually(
    async () => {
      calls += 1;
      assert.ok(calls >= 2, 'not yet');
      return 'done';
    },
    { intervalMs: 1 },
  );

  assert.equal(value, 'done');
});

it('when the check never passes, then eventually fails at the deadline with the last error', async () => {
  const started = Date.now();

  await assert.rejects(
    eventually(
      () => {
        throw new Error('still red');
      },
      { timeoutMs: 100, intervalMs: 10, message: 'the light turning green' },
    ),
    /the light turning green not met within 100 ms: still red/,
  );
  assert.ok(Date.now() - started >= 100);
});

it('when the check returns nothing, then eventually keeps waiting and says so at the deadline', async () => {
  await assert.rejects(
    eventually(() => {}, { timeoutMs: 50, intervalMs: 10 }),
    /returned undefined/,
  );
});

it('when the signal aborts, then eventually stops polling', async () => {
  const controller = new AbortController();
  const waiting = eventually(() => false, { timeoutMs: 10_000, signal: controller.signal });

  controller.abort(new Error('gave up'));

  await assert.rejects(waiting, /gave up/);
});
