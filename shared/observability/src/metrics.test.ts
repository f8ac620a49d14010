import assert from 'node:assert/strict';
import { it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { eventually } from '@haru/testing';
import { liveHeapBytes, onFullCollection } from './live-heap.ts';
import { createMetrics } from './metrics.ts';

// A full collection on demand, without starting the test process with --expose-gc.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const liveHeapMiB = async (metrics: ReturnType<typeof createMetrics>) => {
  const text = await metrics.metrics();
  const bytes = /^haru_nodejs_heap_live_bytes\{[^}]*\} (\S+)$/m.exec(text)?.[1];
  assert.ok(bytes, 'the live heap is exported');
  return Number(bytes) / 2 ** 20;
};

it('exports the heap kept alive after a full collection, not the garbage before it', async () => {
  const metrics = createMetrics('metrics-test');
  collectGarbage();
  const before = await eventually(async () => liveHeapMiB(metrics));

  // About 100 MiB held: the figure rises by that after the next full collection.
  let held: number[][] | undefined = Array.from({ length: 100 }, () => new Array<number>(2 ** 17).fill(1.5));
  collectGarbage();
  await eventually(async () => (await liveHeapMiB(metrics)) > before + 80);

  // Let go and collected: it falls back, though the same bytes were allocated.
  assert.equal(held.length, 100);
  held = undefined;
  collectGarbage();
  await eventually(async () => (await liveHeapMiB(metrics)) < before + 20);
});

it("tells a thread's listeners the heap it keeps after each full collection (how a send thread reports its own)", async () => {
  const reported: number[] = [];
  onFullCollection((bytes) => reported.push(bytes));

  let held: number[][] | undefined = Array.from({ length: 100 }, () => new Array<number>(2 ** 17).fill(1.5));
  collectGarbage();
  await eventually(() => reported.length > 0, { message: 'reported after a full collection' });
  const whileHeld = reported.at(-1) ?? 0;

  assert.equal(held.length, 100);
  held = undefined;
  collectGarbage();
  await eventually(() => (reported.at(-1) ?? whileHeld) < whileHeld - 80 * 2 ** 20, {
    message: 'reported again, about 100 MiB less, once let go',
  });
  assert.equal(liveHeapBytes(), reported.at(-1), 'the same figure as the gauge reads');
});
