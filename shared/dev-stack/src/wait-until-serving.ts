import { eventually } from './eventually.ts';
import { describeExit, type LaunchedProcess } from './launch-process.ts';

export interface WaitUntilServingOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Waits until `url` answers 200, failing at once (with the process's last output) if the
 * process exits first, or at the deadline.
 */
export async function waitUntilServing(
  launched: LaunchedProcess,
  url: string,
  { timeoutMs = 30_000, intervalMs = 50 }: WaitUntilServingOptions = {},
): Promise<void> {
  const gaveUp = new AbortController();
  const died = launched.exited.then((status) => {
    throw new Error(`${launched.label} ${describeExit(status)} before answering ${url}`);
  });
  const serving = eventually(async () => (await fetch(url, { signal: AbortSignal.timeout(2_000) })).status === 200, {
    timeoutMs,
    intervalMs,
    message: `${launched.label} answering ${url}`,
    signal: gaveUp.signal,
  });
  try {
    await Promise.race([serving, died]);
  } catch (error) {
    const output = launched.recentOutput().slice(-40).join('\n');
    throw new Error(`${error instanceof Error ? error.message : String(error)}; its last output:\n${output}`, {
      cause: error,
    });
  } finally {
    gaveUp.abort();
    serving.catch(() => {});
    died.catch(() => {});
  }
}
