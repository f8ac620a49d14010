import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { batches } from './batches.ts';

/** A `run` that records each batch and settles it only when the test says so. */
function heldRun() {
  const runs: Array<{ items: number[]; finish: () => void; fail: (reason: unknown) => void }> = [];
  let running = 0;
  let mostAtOnce = 0;
  const run = (items: number[]) => {
    running += 1;
    mostAtOnce = Math.max(mostAtOnce, running);
    return new Promise<Array<PromiseSettledResult<number>>>((resolve, reject) => {
      const settle = () => {
        running -= 1;
      };
      runs.push({
        items,
        // Odd items are refused, even ones doubled.
        finish: () => {
          settle();
          resolve(
            items.map((item) =>
              item % 2 === 0
                ? { status: 'fulfilled', value: item * 2 }
                : { status: 'rejected', reason: new Error(`${item} is odd`) },
            ),
          );
        },
        fail: (reason) => {
          settle();
          reject(reason);
        },
      });
    });
  };
  return { run, runs, mostAtOnce: () => mostAtOnce };
}

/** Lets queued microtasks and promise callbacks run. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('batches', { timeout: 5000 }, () => {
  test('when items are given in the same turn, then they run as one batch and each caller gets its own outcome', async () => {
    const { run, runs } = heldRun();
    const submit = batches(run);
    const outcomes = Promise.allSettled([submit(2), submit(3), submit(4)]);
    await settled();
    assert.deepEqual(
      runs.map((batch) => batch.items),
      [[2, 3, 4]],
    );
    runs[0]?.finish();
    const [two, three, four] = await outcomes;
    assert.deepEqual(two, { status: 'fulfilled', value: 4 });
    assert.equal(three?.status, 'rejected');
    assert.deepEqual(four, { status: 'fulfilled', value: 8 });
  });

  test('when items arrive while a batch runs, then they wait and go together in the next', async () => {
    const { run, runs } = heldRun();
    const submit = batches(run);
    const first = submit(2);
    await settled();
    const later = [submit(4), submit(6)];
    await settled();
    await settled();
    assert.deepEqual(
      runs.map((batch) => batch.items),
      [[2]],
    );
    runs[0]?.finish();
    assert.equal(await first, 4);
    await settled();
    assert.deepEqual(runs[1]?.items, [4, 6]);
    runs[1]?.finish();
    assert.deepEqual(await Promise.all(later), [8, 12]);
  });

  test('when more items wait than a batch takes, then the rest go in the next', async () => {
    const { run, runs } = heldRun();
    const submit = batches(run, { maxSize: 2 });
    const all = Promise.all([submit(2), submit(4), submit(6)]);
    await settled();
    runs[0]?.finish();
    await settled();
    runs[1]?.finish();
    assert.deepEqual(await all, [4, 8, 12]);
    assert.deepEqual(
      runs.map((batch) => batch.items),
      [[2, 4], [6]],
    );
  });

  test('when several batches may run at once, then never more than that many do', async () => {
    const { run, runs, mostAtOnce } = heldRun();
    const submit = batches(run, { maxSize: 1, inFlight: 2 });
    const all = Promise.all([2, 4, 6, 8, 10].map((item) => submit(item)));
    for (let finished = 0; finished < 5; finished++) {
      await settled();
      runs[finished]?.finish();
    }
    assert.deepEqual(await all, [4, 8, 12, 16, 20]);
    assert.equal(mostAtOnce(), 2);
  });

  test('when a batch fails as a whole, then its items fail and the next batch still runs', async () => {
    const { run, runs } = heldRun();
    const submit = batches(run);
    const failing = Promise.allSettled([submit(2), submit(4)]);
    await settled();
    const next = submit(6);
    runs[0]?.fail(new Error('the database is gone'));
    assert.deepEqual(
      (await failing).map((outcome) => outcome.status === 'rejected' && (outcome.reason as Error).message),
      ['the database is gone', 'the database is gone'],
    );
    await settled();
    runs[1]?.finish();
    assert.equal(await next, 12);
  });
});
