// The steady load's own thread (see `steadyLoad` in burst.bench.ts): other families' members
// calling the gateway, timed on an event loop that does nothing else, as a phone's would.
// On the benchmark's main thread the timings also held its own work: reading a burst's
// messages, and collecting the garbage of a 100,000-family population.
import { setTimeout as delay } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
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
  durationMs: number;
}

/** A steady-load request: when it started (epoch ms), how long it took, and whether it answered. */
export interface SteadyRequest {
  startedAt: number;
  ms: number;
  answering: boolean;
}

export interface SteadyLoadDone {
  requests: SteadyRequest[];
  failures: number;
}

if (!parentPort) throw new Error('steady-load-thread.ts runs as a worker thread (see burst.bench.ts)');
const { gateway, callers, durationMs } = workerData as SteadyLoadWork;
const requests: SteadyRequest[] = [];
// One untimed read first: a new thread's first request also compiles its code and opens its
// connection, which a phone's app, already running, would not.
const [warm] = callers;
if (warm) {
  await callApp(gateway, warm.idToken, 'GET', `/v1/families/${warm.familyId}/questions/current`, undefined, [200]);
}
const end = Date.now() + durationMs;
let failures = 0;
for (let turn = 0; Date.now() < end && callers.length > 0; turn++) {
  const { familyId, memberId, idToken, questionId } = callers[turn % callers.length] as SteadyCaller;
  const startedAt = Date.now();
  const started = performance.now();
  const answering = turn % 2 === 1;
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
    );
  } catch {
    failures += 1;
  }
  requests.push({ startedAt, ms: performance.now() - started, answering });
  await delay(50);
}
parentPort.postMessage({ requests, failures } satisfies SteadyLoadDone);
