/**
 * How far behind the live read model is: the age of the newest event (by its
 * `occurredAt`) this process has applied. Each replica keeps its own; a monitor takes the
 * maximum over replicas. Newest rather than latest, because events arrive out of order:
 * a late straggler does not make the model look further behind than it is.
 * Note that when no events are produced at all, the age grows although nothing is behind.
 */
export interface LagGauge {
  /** Records an event applied to the model (or found there already). */
  applied(occurredAt: string): void;
  /** Seconds since the newest applied event occurred, or null before the first one. */
  ageSeconds(now: Date): number | null;
  /** Events recorded since the process started. */
  count(): number;
}

export function createLagGauge(): LagGauge {
  let newest: number | null = null;
  let applied = 0;
  return {
    applied(occurredAt) {
      const at = Date.parse(occurredAt);
      if (newest === null || at > newest) newest = at;
      applied += 1;
    },
    ageSeconds: (now) => (newest === null ? null : Math.max(0, now.getTime() - newest) / 1000),
    count: () => applied,
  };
}
