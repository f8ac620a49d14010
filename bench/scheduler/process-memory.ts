// Memory of a benchmarked process, sampled in that process and reported to the benchmark over IPC.

export interface MemoryFigures {
  /** Resident set size, MB. */
  rssMb: number;
  /** V8 heap in use, MB. */
  heapUsedMb: number;
}

export interface MemoryReport {
  /** Just before the due instant (after a GC when exposed). */
  before: MemoryFigures;
  /** The highest samples from then until the report. */
  peak: MemoryFigures;
  /** At the report, after a GC when exposed: what is still held once the work is done. */
  after: MemoryFigures;
}

const megabytes = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

export function currentMemory(): MemoryFigures {
  (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rssMb: megabytes(rss), heapUsedMb: megabytes(heapUsed) };
}

/** Samples every `intervalMs`; `mark()` takes the "before" figures and restarts the peak. */
export function startMemorySampler(intervalMs = 50) {
  let before = currentMemory();
  let peak = { ...before };
  const timer = setInterval(() => {
    const { rss, heapUsed } = process.memoryUsage();
    peak = {
      rssMb: Math.max(peak.rssMb, megabytes(rss)),
      heapUsedMb: Math.max(peak.heapUsedMb, megabytes(heapUsed)),
    };
  }, intervalMs);
  timer.unref();
  return {
    mark() {
      before = currentMemory();
      peak = { ...before };
    },
    report(): MemoryReport {
      return { before, peak, after: currentMemory() };
    },
    stop() {
      clearInterval(timer);
    },
  };
}
