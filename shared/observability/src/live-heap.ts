import { constants, type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

/**
 * Heap in use at any moment also counts garbage not yet collected, which grows with how fast
 * a thread allocates (a burst of pushes), not with what it holds; just after a full
 * collection it is what the thread keeps. Every thread has a heap of its own, so each thread
 * that loads this module follows its own full collections from then on. Apart from the
 * metrics so that a worker thread can report its figure without loading them.
 */
let lastLiveHeapBytes: number | undefined;
const listeners = new Set<(liveHeapBytes: number) => void>();

new PerformanceObserver((entries) => {
  const full = entries
    .getEntries()
    .some(
      (entry) =>
        (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ===
        constants.NODE_PERFORMANCE_GC_MAJOR,
    );
  if (!full) return;
  const live = getHeapStatistics().used_heap_size;
  lastLiveHeapBytes = live;
  for (const listener of listeners) listener(live);
}).observe({ entryTypes: ['gc'] });

/** This thread's heap in use just after its last full collection (before the first one: in use now). */
export function liveHeapBytes(): number {
  return lastLiveHeapBytes ?? getHeapStatistics().used_heap_size;
}

/** Calls `listener` with this thread's heap in use just after each of its full collections from now on. */
export function onFullCollection(listener: (liveHeapBytes: number) => void): void {
  listeners.add(listener);
}
