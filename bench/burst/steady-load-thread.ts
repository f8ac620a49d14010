// The steady load's own thread (see `startSteadyLoad` in burst.bench.ts): other families'
// members calling the gateway from before the idle window until the burst's is over, timed
// on an event loop that does nothing else, as a phone's would. On the benchmark's main thread
// the timings also held its own work: reading a burst's messages, and collecting the garbage
// of a 100,000-family population. One thread for both windows, so that neither holds a new
// thread's first requests (its code compiled as it runs, its connection opened).
//
// A phone waits for the gateway on a CPU of its own. Here the caller shares the two cores with
// the burst, so each response would also wait for this thread to get a core back. The thread
// runs at a higher priority (a lower nice value; on Linux each thread has its own) where it is
// permitted, so that the windows time the services, not the caller's own turn on a busy
// machine. It uses little CPU, so it takes next to nothing from the services it times.
import { getPriority, setPriority } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { correlationIdHeader } from '@haru/contracts';
import { callApp } from '../support/population.ts';

/** One member of a steady family, with the question it reads and answers. */
export interface SteadyCaller {
  familyId: string;
  memberId: string;
  idToken: string;
  questionId: string;
}

export interface SteadyLoadWork {
  gateway: string;
  callers: SteadyCaller[];
  /** How the correlation id of each request begins. */
  correlationPrefix: string;
}

/** What the thread answers when stopped: every request it made, and the nice value it ran at. */
export interface SteadyLoadDone {
  requests: SteadyRequest[];
  nice: number;
}

/** The caller's nice value: well ahead of the services (at 0), short of the highest priority (−20). */
const callerNice = -10;

/** A steady-load request: when it started (epoch ms), how long it took, whether it answered and whether it failed. */
export interface SteadyRequest {
  startedAt: number;
  ms: number;
  answering: boolean;
  failed: boolean;
  /** Sent as the request's correlation id, which the services' request log lines carry. */
  correlationId: string;
}

if (!parentPort) throw new Error('steady-load-thread.ts runs as a worker thread (see burst.bench.ts)');
const { gateway, callers, correlationPrefix } = workerData as SteadyLoadWork;
if (process.platform === 'linux') {
  try {
    setPriority(callerNice);
  } catch {
    // Not permitted (no CAP_SYS_NICE): the caller runs at the normal priority, as the result says.
  }
}
// Any message from the benchmark stops the load; the thread answers with every request it made.
let stopping = false;
parentPort.once('message', () => {
  stopping = true;
});
const requests: SteadyRequest[] = [];
for (let turn = 0; !stopping && callers.length > 0; turn++) {
  const { familyId, memberId, idToken, questionId } = callers[turn % callers.length] as SteadyCaller;
  const startedAt = Date.now();
  const started = performance.now();
  const answering = turn % 2 === 1;
  const correlationId = `${correlationPrefix}${turn}`;
  let failed = false;
  try {
    await callApp(
      gateway,
      idToken,
      answering ? 'PUT' : 'GET',
      answering
        ? `/v1/families/${familyId}/questions/${questionId}/answer`
        : `/v1/families/${familyId}/questions/current`,
      answering ? { text: `steady answer of ${memberId}` } : undefined,
      [200, 201],
      { [correlationIdHeader]: correlationId },
    );
  } catch {
    failed = true;
  }
  requests.push({ startedAt, ms: performance.now() - started, answering, failed, correlationId });
  await delay(50);
}
parentPort.postMessage({ requests, nice: getPriority() } satisfies SteadyLoadDone);
