// The steady load's own process (see `startSteadyLoad` in burst.bench.ts): other families'
// members calling the gateway from before the idle window until the burst's is over, timed
// on an event loop that does nothing else, as a phone's would. In the benchmark's process
// the timings also held its own work: the FCM endpoint's, reading a burst's messages, and
// collecting the garbage of a 100,000-family population. One process for both windows, so
// that neither holds a new caller's first requests (its code compiled as it runs, its
// connection opened).
//
// A phone waits for the gateway on a CPU of its own. Here the caller shares the two cores with
// the burst, so each response would also wait for this process to get a core back. It runs at
// a higher priority where it is permitted (as root): its main thread at the nice value it is
// given, and its session's autogroup too (set by the benchmark), which is what Linux weighs
// against the services' sessions. It uses little CPU, so it takes next to nothing from the
// services it times.
import { readFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
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
  /** The nice value its main thread takes (the benchmark sets its autogroup's). */
  nice: number;
}

/** What the process answers when stopped: every request it made, and the priority it ran at. */
export interface SteadyLoadDone {
  requests: SteadyRequest[];
  /** Its main thread's nice value. */
  nice: number;
  /** Its autogroup's nice value; null where Linux has no autogroups (or on another system). */
  autogroupNice: number | null;
}

/** A steady-load request: when it started (epoch ms), how long it took, whether it answered and whether it failed. */
export interface SteadyRequest {
  startedAt: number;
  ms: number;
  answering: boolean;
  failed: boolean;
  /** Sent as the request's correlation id, which the services' request log lines carry. */
  correlationId: string;
}

const send = process.send?.bind(process);
if (!send) throw new Error('steady-load-process.ts runs as a child process with IPC (see burst.bench.ts)');

/** The autogroup's nice value as /proc shows it ("/autogroup-42 nice -10"); null without autogroups. */
const autogroupNice = (): number | null => {
  try {
    const nice = /nice (-?\d+)/.exec(readFileSync('/proc/self/autogroup', 'utf8'))?.[1];
    return nice === undefined ? null : Number(nice);
  } catch {
    return null;
  }
};

// The work comes as the one argument; any message stops the load, and the process answers
// with every request it made, then leaves.
const work = JSON.parse(process.argv[2] ?? 'null') as SteadyLoadWork;
let stopping = false;
process.once('message', () => {
  stopping = true;
});
const { gateway, callers, correlationPrefix, nice } = work;
try {
  setPriority(nice);
} catch {
  // Not permitted (no CAP_SYS_NICE): the result says what it ran at.
}
/** A request the gateway has not answered by then counts as failed, so that it never holds the stop. */
const requestDeadlineMs = 10_000;
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
      { headers: { [correlationIdHeader]: correlationId }, signal: AbortSignal.timeout(requestDeadlineMs) },
    );
  } catch {
    failed = true;
  }
  requests.push({ startedAt, ms: performance.now() - started, answering, failed, correlationId });
  await delay(50);
}
send({ requests, nice: getPriority(), autogroupNice: autogroupNice() } satisfies SteadyLoadDone, () => process.exit(0));
