/** A reading of the services' outbox relays: all the events they had published to SNS by `at` (epoch ms). */
export interface PublishedSample {
  at: number;
  total: number;
}

/**
 * Publishes in each second from 10 s before `instant` (second 0 is the due second) to 20 s
 * after, from cumulative samples in time order: a second is listed only if a sample came at
 * or after its end, so that a second the sampler never saw whole does not read as none.
 */
export function publishesPerSecond(
  samples: readonly PublishedSample[],
  instant: Date,
): Array<{ second: number; published: number }> {
  const totalAt = (time: number) => samples.filter((sample) => sample.at <= time).at(-1)?.total ?? 0;
  const lastSampledAt = samples.at(-1)?.at ?? Number.NEGATIVE_INFINITY;
  const seconds: Array<{ second: number; published: number }> = [];
  for (let second = -10; second <= 20; second++) {
    const from = instant.getTime() + second * 1000;
    if (from + 1000 > lastSampledAt) break;
    seconds.push({ second, published: Math.max(totalAt(from + 1000) - totalAt(from), 0) });
  }
  return seconds;
}
