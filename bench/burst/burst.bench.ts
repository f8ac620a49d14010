// Benchmark of haru's promise (docs/benchmarks.md, "On time at the phone"): N families due in
// the same minute, through the whole system as `npm start` runs it — the five services as
// their own processes, embedded PostgreSQL, fauxqs and the local FCM endpoint — each family
// with one to three devices. It reports push lateness (when the FCM endpoint received each
// push minus its family's instant), per-hop timings, SNS publishes per second around the
// instant, the services' memory, and the gateway's latency for other families' reads and
// answers idle and during the burst. In the same run, the ceiling: firebase-admin alone
// sending the same number of pushes to the same endpoint.
//
//   node bench/burst/burst.bench.ts [--full] [--families 1000[,10000…]] [--reminders] [--pg-stats]   (writes bench/results/burst.json)
//
// Quick: 1,000 families. --full: 10,000 and 100,000 (one after another, each on a stack of its own).
// --reminders: then the same families' reminders, due together at an instant of their own.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandLine, wholeNumberOption } from '@haru/config';
import {
  type FcmMessage,
  niceAutogroup,
  type ReceivedFcmMessage,
  type ServiceName,
  serviceNames,
} from '@haru/dev-stack';
import { serviceTokenHeader } from '@haru/http';
import { clearFcmMessages, fcmMessages, internalApi, metricSample, refreshIdToken } from '@haru/testing';
import pg from 'pg';
import { pushMessage } from '../../services/notifier/src/push/push-message.ts';
import { maxMessagesPerSend } from '../../services/notifier/src/push/push-sender.ts';
import { startSendThreads } from '../../services/notifier/src/push/send-threads.ts';
import { startBenchServices } from '../support/bench-services.ts';
import { startBenchStack } from '../support/bench-stack.ts';
import { questionsAheadSeconds, remindersAheadSeconds, wholeMinuteAfter } from '../support/burst-instants.ts';
import { mapConcurrently, waitFor } from '../support/concurrently.ts';
import {
  benchAuthEmulatorPids,
  type CpuGroups,
  type CpuUse,
  measureCpu,
  measureNodeThreads,
  measurePostgresRoles,
  withChildren,
} from '../support/cpu.ts';
import { describeMachine, oneMinuteLoad } from '../support/machine.ts';
import { createFamilies } from '../support/population.ts';
import { progressLog } from '../support/progress.ts';
import { type PublishedSample, publishesPerSecond } from '../support/publishes.ts';
import { resultsDir, writeResults } from '../support/results.ts';
import { notifierDefaults, schedulerDefaults } from '../support/service-defaults.ts';
import { resetStatementStats, topStatements } from '../support/statement-stats.ts';
import { percentile, round } from '../support/stats.ts';
import type { SteadyCaller, SteadyLoadDone, SteadyLoadWork, SteadyRequest } from './steady-load-process.ts';

const { values: args } = commandLine('burst bench', {
  options: {
    full: { type: 'boolean', default: false },
    families: { type: 'string' },
    'send-concurrency': { type: 'string' },
    'send-threads': { type: 'string' },
    /** SCHEDULER_LEAD_MS; the scheduler's own (5 minutes) unless given. */
    'lead-ms': { type: 'string' },
    /** Loads pg_stat_statements and keeps the statements that took PostgreSQL's time from 2 s before the instant to the last push. */
    'pg-stats': { type: 'boolean', default: false },
    /** After the burst, its families' reminders due together at an instant of their own (the run takes the lead longer). */
    reminders: { type: 'boolean', default: false },
    /** The notifier writes a V8 CPU profile to bench/results/profiles when it stops (the instant is in the results). */
    'cpu-prof': { type: 'boolean', default: false },
  },
});
const sizes = args.families
  ? args.families.split(',').map((size) => wholeNumberOption('burst bench', 'families', size))
  : args.full
    ? [10_000, 100_000]
    : [1_000];
const log = progressLog('burst');
const profilesDir = join(resultsDir, 'profiles');
/** The steady load's nice value: well ahead of the services (at 0), short of the highest priority (−20). */
const callerNice = -10;
/** How long the gateway is timed idle, under the steady load alone, before each burst. */
const idleMs = 15_000;
/** The correlation ids of the steady load's requests begin so. */
const steadyCorrelationPrefix = 'steady-';
/** What the gateway last answered a steady family's member, for the message if it never opens. */
let lastSteadyAnswer = '';
/** Send batches in flight, in the notifier (NOTIFIER_SEND_CONCURRENCY, its default unless given) and in the ceiling. */
const sendConcurrency = wholeNumberOption('burst bench', 'send-concurrency', args['send-concurrency'], {
  fallback: notifierDefaults.NOTIFIER_SEND_CONCURRENCY,
});
/** firebase-admin's threads, in the notifier (NOTIFIER_SEND_THREADS, its default unless given) and in the ceiling. */
const sendThreads = wholeNumberOption('burst bench', 'send-threads', args['send-threads'], {
  fallback: notifierDefaults.NOTIFIER_SEND_THREADS,
});

/** A push the endpoint accepted, with the data fields haru's pushes carry. */
interface AcceptedMessage extends ReceivedFcmMessage {
  message: FcmMessage & { token: string; data: { kind: string; familyId: string; notificationId: string } };
}

/** The scheduler's lead: the least time ahead a question is announced. */
const leadMs = wholeNumberOption('burst bench', 'lead-ms', args['lead-ms'], {
  fallback: schedulerDefaults.SCHEDULER_LEAD_MS,
});

/** How early the scheduler announces a burst, with the bench's lead. */
const pace = { leadMs, prepareRate: schedulerDefaults.SCHEDULER_PREPARE_RATE };

async function runBurst(families: number) {
  log(`${families} families: starting the stack`);
  const stack = await startBenchStack({
    name: `burst-${families}`,
    auth: true,
    fcm: true,
    statementStats: args['pg-stats'],
  });
  const served = new ServedTimes();
  const services = await startBenchServices(stack, {
    // Every service logs at `info`, as `npm start` and production run them: the notifier's
    // line for each push it sends is part of what a push costs, and the gateway and the
    // services it calls log each request they serve (`served`).
    logLevel: 'info',
    // The steady load comes from a few users; the per-member limit is not what is measured.
    environment: (name) =>
      name === 'gateway'
        ? { RATE_LIMIT_PER_MINUTE: '1000000' }
        : name === 'notifier'
          ? {
              NOTIFIER_SEND_CONCURRENCY: String(sendConcurrency),
              NOTIFIER_SEND_THREADS: String(sendThreads),
              ...(args['cpu-prof'] ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profilesDir}` } : {}),
            }
          : name === 'scheduler'
            ? { SCHEDULER_LEAD_MS: String(leadMs) }
            : {},
    onOutput: (name, line) => served.read(name, line),
    // A profile is written only by a process that exits of itself.
    ...(args['cpu-prof'] ? { stopTimeoutMs: 20_000 } : {}),
  });
  const fcmUrl = stack.fcmEndpointUrl ?? '';
  const token = services.parts.internalApiToken;
  const database = new pg.Pool({ connectionString: stack.databaseUrl, max: 4, application_name: 'haru-bench' });
  try {
    // 1. The steady load's families; 2. the burst's.
    const { steady, steadyQuestions } = await makeSteadyFamilies(stack, services, database);
    log('steady families ready');
    log(`creating ${families} families`);
    const { burstFamilies, tokens } = await makeBurstFamilies(services, database, families, {
      families: steady.length,
      members: steady.flatMap((family) => family.members).length,
    });

    // 3. The burst: every family's push time moved to one instant ahead (the due-index the
    // scheduler owns, in one statement), far enough that it is all prepared by then.
    const prepareSeconds = questionsAheadSeconds(families, pace);
    const instant = wholeMinuteAfter(Date.now(), prepareSeconds);
    await database.query(
      `update scheduler.family_schedule set push_time = $2, next_due_at = $3 where family_id = any($1)`,
      [burstFamilies, instant.toISOString().slice(11, 16), instant],
    );
    log(`every family due at ${instant.toISOString()}; preparing`);
    const sampled = servicesSampler(services, token);

    // 4. Idle: the gateway under the steady load alone, in the state the burst starts from:
    // every push prepared and every service's queue empty. Measured right after making the
    // families, it also held the bench's own CPU spent on that population.
    await waitFor(
      'every push prepared and every queue idle',
      () => allPrepared(stack, database, instant, tokens.length),
      {
        timeoutMs: prepareSeconds * 1000,
        intervalMs: 500,
      },
    );
    // One steady load from here until the burst's window closes (the reminders' with
    // --reminders); its first seconds, while its process starts, compiles its code and opens
    // its connection, are in no window.
    const warmUpMs = 3_000;
    if (Date.now() + warmUpMs + idleMs > instant.getTime() - 2_000) {
      throw new Error(`preparing took until ${new Date().toISOString()}: no room left to measure the gateway idle`);
    }
    // ID tokens last an hour, and at 100,000 families the burst comes more than an hour after
    // the steady families signed in: their members take new ones, as the app would.
    await mapConcurrently(
      steady.flatMap((family) => family.members),
      4,
      async (member) => {
        member.idToken = await refreshIdToken(stack.authEmulatorHost, member.refreshToken);
      },
    );
    log('measuring the gateway idle');
    const steadyLoad = startSteadyLoad(services.url('gateway'), steady, steadyQuestions);
    const idleFrom = Date.now() + warmUpMs;
    const burstFrom = instant.getTime() - 2_000;
    await waitFor('two seconds before the instant', async () => Date.now() >= burstFrom, {
      timeoutMs: prepareSeconds * 2000,
      intervalMs: 200,
    });
    if (args['pg-stats']) await resetStatementStats(database);
    // Counted before the instant, as for the reminders: on a machine too busy to see the instant
    // on time, a count after it held the first pushes, and the wait for all of them never ended.
    const countBefore = await messageCount(fcmUrl);
    // Where the two cores go from the instant until the last push is at the endpoint.
    await waitFor('the instant', async () => Date.now() >= instant.getTime(), { intervalMs: 10 });
    const cpuGroups: CpuGroups = {
      ...Object.fromEntries(serviceNames.map((name) => [name, () => [services.pid(name)]])),
      postgres: () => {
        const pid = stack.postgresPid();
        return pid ? withChildren(pid) : [];
      },
      'Auth emulator': benchAuthEmulatorPids,
      'bench (FCM endpoint, fauxqs, steady load)': () => [process.pid, ...(steadyLoad.pid ? [steadyLoad.pid] : [])],
    };
    // PostgreSQL's share split by pool (the notifier's sender apart from its consumer, ...)
    // and by the server's own processes (autovacuum, the WAL writer, the checkpointer).
    const measurePostgresByRole = () =>
      measurePostgresRoles(stack.postgresPid() ?? -1, () => postgresProcessRoles(database));
    const cpu = measureCpu(cpuGroups);
    // The notifier's share split by thread: haru's own work (the main thread) apart from
    // firebase-admin's (the send threads) and from V8's helpers (mostly garbage collection).
    const notifierThreads = measureNodeThreads(services.pid('notifier'));
    const postgresRoles = measurePostgresByRole();
    const expected = tokens.length;
    // Polled by count, read once: listing a large burst's messages every poll would take the
    // cores the burst is measured on. A count is cheap, so it is polled often enough that the
    // CPU counted stops close to the last push.
    await waitFor('every push at the endpoint', async () => (await messageCount(fcmUrl)) >= countBefore + expected, {
      timeoutMs: 20 * 60_000,
      intervalMs: 100,
    });
    const cpuDuringBurst = cpu.stop();
    const notifierCoresByThread = notifierThreads.stop();
    const postgresCoresByRole = await postgresRoles.stop();
    const statements = args['pg-stats'] ? await topStatements(database, { limit: 12, by: 'time' }) : undefined;
    // The burst's window: from 2 s before the instant until the last push, 12 s at least. It
    // closes before the burst's messages are read: this process parsing them, and collecting
    // that garbage, would take cores the gateway is timed on.
    const burstTo = await burstWindowEnd(burstFrom);
    const accepted = await burstMessages(fcmUrl, instant, 'question');
    const {
      publishesPerSecond: publishes,
      peakLiveHeapMiB,
      peakLiveHeapSecondsFromInstant,
      peakHeapUsedMiB,
      peakRssMiB,
      peakSendThreadsHeapUsedMiB,
      peakSendThreadsLiveHeapMiB,
      loopDelaysAround,
    } = sampled.stop(instant);

    // 5. What the phones saw.
    const { lateness, verdict } = phonesSaw(accepted, instant, expected);
    const hops = await hopTimings(database, instant, burstFamilies, 'question');

    // 6. With --reminders, the same families' reminders, due together at an instant of their
    // own, with the steady load still running: the gateway's target holds for either burst.
    const reminders = args.reminders
      ? await reminderBurst({
          stack,
          database,
          services,
          token,
          fcmUrl,
          familyIds: burstFamilies,
          expected,
          cpuGroups,
          measurePostgresByRole,
        })
      : undefined;
    // What the caller ran at, which may fall short of what it was given (no permission).
    const { requests: steadyRequests, nice: ranAtNice, autogroupNice: ranAtAutogroupNice } = await steadyLoad.stop();
    const drainSeconds = percentile(lateness, 100);
    const gateway = gatewayFigures(
      steadyRequests,
      { idleFrom, idleTo: idleFrom + idleMs, burstFrom, burstTo, instant, drainSeconds },
      { served, loopDelaysAround },
    );

    // 7. The ceiling: firebase-admin alone, the same number of pushes to the same endpoint,
    // with the services stopped. Running, the notifier would still be reporting the burst
    // (NotificationSent, spread over minutes) on the cores the ceiling is measured on.
    log('the ceiling: firebase-admin alone');
    await services.stop();
    const ceiling = await firebaseAdminAlone(fcmUrl, expected, cpuGroups);

    const result = {
      families,
      pushes: expected,
      devicesPerFamily: '1–3 (index mod 3 + 1)',
      sending: { callsAtOnce: sendConcurrency, threads: sendThreads },
      // Every service's LOG_LEVEL, as it ran: what a push costs includes its log line at `info`.
      logLevel: services.parts.logLevel,
      instant: instant.toISOString(),
      leadSeconds: leadMs / 1000,
      prepareWindowSeconds: hops.firstAnnouncedSecondsAhead,
      lateness: {
        // The first push shows how long the instant itself took before anything was sent.
        first: round(percentile(lateness, 0), 3),
        p50: round(percentile(lateness, 50), 3),
        p99: round(percentile(lateness, 99), 3),
        max: round(drainSeconds, 3),
      },
      verdict,
      ceiling: {
        pushesPerSecond: round(ceiling.perSecond),
        seconds: round(ceiling.seconds, 3),
        firstPushSeconds: round(ceiling.firstSeconds, 3),
        target: `p99 lateness ≤ 1.25 × ${expected} / ${round(ceiling.perSecond)} + 1 s = ${round(
          (1.25 * expected) / ceiling.perSecond + 1,
          2,
        )} s`,
        drainRateShare: round(expected / Math.max(drainSeconds, 0.001) / ceiling.perSecond, 2),
        cpuPerPushMicros: cpuPerPush(ceiling.cpu, expected),
      },
      hops,
      snsPublishesPerSecond: publishes,
      snsPublishesInDueSecond: publishes.find((second) => second.second === 0)?.published ?? 0,
      gateway: { ...gateway, callerNice: ranAtNice, callerAutogroupNice: ranAtAutogroupNice },
      cpuDuringBurst,
      notifierCoresByThread,
      postgresCoresByRole,
      cpuPerPushMicros: cpuPerPush(cpuDuringBurst, expected),
      peakLiveHeapMiB,
      peakLiveHeapSecondsFromInstant,
      peakHeapUsedMiB,
      peakSendThreadsHeapUsedMiB,
      peakSendThreadsLiveHeapMiB,
      peakRssMiB,
      ...(statements ? { statements } : {}),
      ...(reminders
        ? {
            reminders: {
              ...reminders.result,
              gateway: gatewayFigures(steadyRequests, reminders.gatewayWindows, {
                served,
                loopDelaysAround: reminders.loopDelaysAround,
              }),
            },
          }
        : {}),
      load: oneMinuteLoad(),
    };
    log(
      `p99 ${result.lateness.p99} s, max ${result.lateness.max} s; ceiling ${result.ceiling.pushesPerSecond}/s; ` +
        `CPU a push ${result.cpuPerPushMicros.total} µs, the ceiling's ${result.ceiling.cpuPerPushMicros.total} µs`,
    );
    return result;
  } catch (error) {
    log(`last answer to a steady family: ${lastSteadyAnswer}`);
    log(services.recentLogs());
    throw error;
  } finally {
    await database.end();
    await services.stop();
    await stack.stop();
  }
}

type BenchStack = Awaited<ReturnType<typeof startBenchStack>>;
type BenchServices = Awaited<ReturnType<typeof startBenchServices>>;

/**
 * The steady load's families, made as the app makes them (signed-up users, through the
 * gateway), each with today's question open; with that question's id.
 */
async function makeSteadyFamilies(stack: BenchStack, services: BenchServices, database: pg.Pool) {
  const steady = await createFamilies({ stack, gateway: services.url('gateway'), families: 8, membersPerFamily: 2 });
  // The scheduler learns of them from FamilyCreated, asynchronously.
  const steadyIds = steady.map((family) => family.familyId);
  await waitFor('the steady families known to the scheduler', async () => {
    const { rows } = await database.query<{ known: number }>(
      'select count(*)::int as known from scheduler.family_schedule where family_id = any($1)',
      [steadyIds],
    );
    return rows[0]?.known === steadyIds.length;
  });
  // Their question opens now (the scheduler's due-index, moved to now for them).
  await database.query(
    `update scheduler.family_schedule
     set push_time = to_char(now() at time zone 'utc', 'HH24:MI'), next_due_at = date_trunc('minute', now())
     where family_id = any($1)`,
    [steadyIds],
  );
  const steadyQuestions = await mapConcurrently(steady, 4, (family) =>
    waitFor(`the steady family ${family.familyId}'s question`, async () => {
      const member = family.members[0];
      if (!member) return false;
      const response = await fetch(`${services.url('gateway')}/v1/families/${family.familyId}/questions/current`, {
        headers: { authorization: `Bearer ${member.idToken}` },
      });
      if (response.status === 200) return (await response.json()) as { questionId: string };
      lastSteadyAnswer = `${response.status} ${await response.text()}`;
      return false;
    }),
  );
  return { steady, steadyQuestions };
}

/**
 * The burst's families, through the services' internal APIs (what the gateway calls): each
 * created with a push time far away, joined by 0–2 more members, every member with a device;
 * once the scheduler knows every family and the notifier every member. Their ids, and each
 * device's token with its family. `steady`: the families and members already there.
 */
async function makeBurstFamilies(
  services: BenchServices,
  database: pg.Pool,
  families: number,
  steady: { families: number; members: number },
) {
  /** A service's internal API, as the gateway calls it; throws unless it succeeded. */
  const internal = async (service: ServiceName, uid: string | null, method: string, path: string, body?: unknown) => {
    const answered = await internalApi(services.url(service), services.parts.internalApiToken)(uid, method, path, body);
    if (answered.status >= 300) {
      throw new Error(`${method} ${service}${path} answered ${answered.status}: ${JSON.stringify(answered.body)}`);
    }
    return answered.body;
  };
  const pushTimeFarAway = new Date(Date.now() + 12 * 3600_000).toISOString().slice(11, 16);
  const tokens: Array<{ familyId: string; token: string }> = [];
  const burstFamilies = await mapConcurrently(Array.from({ length: families }), 24, async (_, index) => {
    const founder = `burst-${index}-0`;
    const created = await internal('answer', founder, 'POST', '/families', {
      name: `Burst ${index}`,
      timezone: 'UTC',
      pushTime: pushTimeFarAway,
      quietHours: null,
      member: { role: 'parent', displayName: 'Parent', locale: index % 2 ? 'en' : 'ko' },
    });
    const uids = [founder];
    for (let position = 1; position < 1 + (index % 3); position++) {
      const uid = `burst-${index}-${position}`;
      await internal('answer', uid, 'POST', '/families/join', {
        inviteCode: created.inviteCode,
        member: { role: 'child', displayName: `Child ${position}`, locale: 'en' },
      });
      uids.push(uid);
    }
    for (const uid of uids) {
      const device = `bench-${created.familyId}-${uid}`;
      await internal('notifier', null, 'PUT', `/devices/${device}`, { uid, platform: 'android' });
      tokens.push({ familyId: created.familyId, token: device });
    }
    return created.familyId as string;
  });
  await waitFor(
    'every family known to the scheduler and every member to the notifier',
    async () => {
      const { rows } = await database.query<{ schedules: number; recipients: number }>(
        `select (select count(*)::int from scheduler.family_schedule) as schedules,
                (select count(*)::int from notifier.recipients) as recipients`,
      );
      const row = rows[0];
      return row && row.schedules >= families + steady.families && row.recipients >= tokens.length + steady.members;
    },
    { timeoutMs: 30 * 60_000, intervalMs: 500 },
  );
  return { burstFamilies, tokens };
}

/**
 * The CPU each part spent per push (µs), from the instant to the last push or through the
 * ceiling's run, and their total: the two cores are shared, so the burst drains at about the
 * ceiling's rate times the ratio of the two totals.
 */
function cpuPerPush({ cores, seconds }: CpuUse, pushes: number) {
  const micros = Object.fromEntries(
    Object.entries(cores).map(([name, used]) => [name, Math.round((used * seconds * 1e6) / pushes)]),
  );
  return { ...micros, total: Object.values(micros).reduce((sum, each) => sum + each, 0) };
}

async function messageCount(fcmUrl: string): Promise<number> {
  const response = await fetch(`${fcmUrl}/messages/count`);
  return ((await response.json()) as { count: number }).count;
}

async function burstMessages(fcmUrl: string, instant: Date, kind: 'question' | 'reminder'): Promise<AcceptedMessage[]> {
  // Every push at the bench's endpoint is built by pushMessage, which always sets these data fields.
  const messages = (await fcmMessages(fcmUrl)) as AcceptedMessage[];
  return messages.filter(
    (received) =>
      received.message.token.startsWith('bench-') &&
      received.message.data.kind === kind &&
      Date.parse(received.receivedAt) >= instant.getTime() - 60_000,
  );
}

/** Lateness (endpoint receive time − the instant) of each accepted push, and what was early, missing or doubled. */
function phonesSaw(accepted: readonly AcceptedMessage[], instant: Date, expected: number) {
  const lateness = accepted.map((received) => (Date.parse(received.receivedAt) - instant.getTime()) / 1000);
  const seen = new Map<string, number>();
  for (const received of accepted) {
    const key = `${received.message.token} ${received.message.data.notificationId}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const doubled = [...seen.values()].filter((count) => count > 1).length;
  const early = lateness.filter((seconds) => seconds < 0).length;
  return { lateness, verdict: { missing: Math.max(expected - seen.size, 0), doubled, early } };
}

/**
 * The burst's reminders, due together: each family's waiting reminder is moved to one instant
 * (the scheduler's due-index, in one statement, as for the questions), as far ahead as
 * `remindersAheadSeconds` says. The scheduler announces them, having asked the projection whom
 * each question awaits (nobody in these families has answered, so every member); the notifier
 * prepares them and its due-delivery sender sends them at the instant. Reports their lateness,
 * when they were announced, the SNS publishes around their instant, and the CPU from the
 * instant to the last reminder, as for the questions, with the steady load still running; and
 * the windows the gateway is timed in: idle, the 15 s before the burst's window (with whether
 * every reminder was prepared, and every queue idle, when they began), and the burst's.
 */
async function reminderBurst({
  stack,
  database,
  services,
  token,
  fcmUrl,
  familyIds,
  expected,
  cpuGroups,
  measurePostgresByRole,
}: {
  stack: BenchStack;
  database: pg.Pool;
  services: Awaited<ReturnType<typeof startBenchServices>>;
  token: string;
  fcmUrl: string;
  familyIds: readonly string[];
  expected: number;
  cpuGroups: CpuGroups;
  measurePostgresByRole: () => ReturnType<typeof measurePostgresRoles>;
}) {
  const aheadSeconds = remindersAheadSeconds(familyIds.length, pace);
  const instant = wholeMinuteAfter(Date.now(), aheadSeconds);
  const moved = await database.query(
    `update scheduler.pending_push set due_at = $2 where kind = 'reminder' and family_id = any($1)`,
    [familyIds, instant],
  );
  if (moved.rowCount !== familyIds.length) {
    throw new Error(`${moved.rowCount} of ${familyIds.length} families have a reminder waiting in the due-index`);
  }
  log(`every reminder due at ${instant.toISOString()}`);
  const sampled = servicesSampler(services, token);
  const burstFrom = instant.getTime() - 2_000;
  const idleFrom = burstFrom - idleMs;
  // Not waited for past the idle window's start: a run this long is not thrown away over it.
  let preparedBeforeIdle = false;
  while (!preparedBeforeIdle && Date.now() < idleFrom) {
    preparedBeforeIdle = await allPrepared(stack, database, instant, expected);
    if (!preparedBeforeIdle) await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await waitFor('two seconds before the reminders’ instant', async () => Date.now() >= burstFrom, {
    timeoutMs: (aheadSeconds + 120) * 1000,
    intervalMs: 200,
  });
  const countBefore = await messageCount(fcmUrl);
  await waitFor('the reminders’ instant', async () => Date.now() >= instant.getTime(), { intervalMs: 10 });
  const cpu = measureCpu(cpuGroups);
  const notifierThreads = measureNodeThreads(services.pid('notifier'));
  const postgresRoles = measurePostgresByRole();
  await waitFor('every reminder at the endpoint', async () => (await messageCount(fcmUrl)) >= countBefore + expected, {
    timeoutMs: 20 * 60_000,
    intervalMs: 100,
  });
  const cpuDuringBurst = cpu.stop();
  const notifierCoresByThread = notifierThreads.stop();
  const postgresCoresByRole = await postgresRoles.stop();
  const burstTo = await burstWindowEnd(burstFrom);
  const { publishesPerSecond: publishes, loopDelaysAround } = sampled.stop(instant);
  const { lateness, verdict } = phonesSaw(await burstMessages(fcmUrl, instant, 'reminder'), instant, expected);
  // Whether each reminder was prepared before its instant: the notifier's main thread and
  // pool preparing late ones would take the cores the drain runs on.
  const hops = await hopTimings(database, instant, familyIds, 'reminder');
  const announced = hops.seconds[0];
  const result = {
    instant: instant.toISOString(),
    pushes: expected,
    announcedSecondsAhead: {
      first: hops.firstAnnouncedSecondsAhead,
      last: round(-(announced?.last ?? 0), 1),
    },
    hops: hops.seconds,
    lateness: {
      first: round(percentile(lateness, 0), 3),
      p50: round(percentile(lateness, 50), 3),
      p99: round(percentile(lateness, 99), 3),
      max: round(percentile(lateness, 100), 3),
    },
    verdict,
    snsPublishesPerSecond: publishes,
    snsPublishesInDueSecond: publishes.find((second) => second.second === 0)?.published ?? 0,
    cpuDuringBurst,
    notifierCoresByThread,
    postgresCoresByRole,
    cpuPerPushMicros: cpuPerPush(cpuDuringBurst, expected),
  };
  log(`reminders: p99 ${result.lateness.p99} s, max ${result.lateness.max} s`);
  const gatewayWindows = {
    idleFrom,
    idleTo: burstFrom,
    preparedBeforeIdle,
    burstFrom,
    burstTo,
    instant,
    drainSeconds: percentile(lateness, 100),
  };
  return { result, gatewayWindows, loopDelaysAround };
}

/** Every push due at `instant` prepared (`expected` deliveries) and every service's queue idle. */
async function allPrepared(stack: BenchStack, database: pg.Pool, instant: Date, expected: number): Promise<boolean> {
  const { rows } = await database.query<{ prepared: number }>(
    'select count(*)::int as prepared from notifier.deliveries where next_attempt_at = $1',
    [instant],
  );
  return (rows[0]?.prepared ?? 0) >= expected && (await stack.queuesIdle());
}

/**
 * Waits until a burst's window, from `burstFrom` (2 s before its instant) until its last push
 * (which has come), has lasted 12 s at least, and returns when it closed (epoch ms).
 */
async function burstWindowEnd(burstFrom: number): Promise<number> {
  await waitFor('twelve seconds of the burst', async () => Date.now() >= burstFrom + 12_000, {
    timeoutMs: 15_000,
    intervalMs: 100,
  });
  return Date.now();
}

/**
 * Other families' members reading today's question and answering it (the same answer again:
 * the whole answer path, decided as a retry) through the gateway, a request every 50 ms, from
 * a process of their own (steady-load-process.ts), in a session of its own (`detached`), so
 * that its priority counts against the services', until `stop` resolves with every request and
 * the priority it ran at.
 */
function startSteadyLoad(
  gateway: string,
  families: Awaited<ReturnType<typeof createFamilies>>,
  questions: Array<{ questionId: string }>,
) {
  const callers = families.flatMap((family, index) =>
    family.members.map(
      (member): SteadyCaller => ({
        familyId: family.familyId,
        memberId: member.memberId,
        idToken: member.idToken,
        questionId: questions[index]?.questionId ?? '',
      }),
    ),
  );
  const work: SteadyLoadWork = { gateway, callers, correlationPrefix: steadyCorrelationPrefix, nice: callerNice };
  const caller = fork(new URL('./steady-load-process.ts', import.meta.url), [JSON.stringify(work)], { detached: true });
  if (caller.pid !== undefined) niceAutogroup(caller.pid, callerNice);
  // A run that fails before stopping it does not wait for it, nor leave it behind.
  caller.unref();
  caller.channel?.unref();
  process.once('exit', () => caller.kill());
  const done = once(caller, 'message') as Promise<[SteadyLoadDone]>;
  return {
    pid: caller.pid,
    async stop() {
      caller.channel?.ref();
      caller.send('stop');
      const [result] = await done;
      return result;
    },
  };
}

/** When the gateway is timed around a burst (epoch ms), and the burst's instant and drain. */
interface GatewayWindows {
  idleFrom: number;
  idleTo: number;
  /** Whether every push of the burst was prepared, and every queue idle, when the idle window began. */
  preparedBeforeIdle?: boolean;
  burstFrom: number;
  burstTo: number;
  instant: Date;
  drainSeconds: number;
}

/**
 * The gateway under the steady load around a burst: its latencies idle and during the burst,
 * their p99s' ratio (the target: ≤ 1.5), and where the slowest requests spent their time.
 */
function gatewayFigures(
  requests: readonly SteadyRequest[],
  { idleFrom, idleTo, preparedBeforeIdle, burstFrom, burstTo, instant, drainSeconds }: GatewayWindows,
  context: Parameters<typeof whenSlow>[3],
) {
  const idle = steadyWindow(requests, idleFrom, idleTo);
  const busy = steadyWindow(requests, burstFrom, burstTo);
  return {
    idle: idle.summary,
    ...(preparedBeforeIdle === undefined ? {} : { preparedBeforeIdle }),
    duringBurst: busy.summary,
    p99Ratio: round(busy.summary.p99Ms / Math.max(idle.summary.p99Ms, 0.1), 2),
    ...whenSlow(busy.requests, instant, drainSeconds, context),
  };
}

/** The steady requests started from `from` until `to` (epoch ms): the summary of their latencies, and each of them. */
function steadyWindow(all: readonly SteadyRequest[], from: number, to: number) {
  const requests = all.filter((request) => request.startedAt >= from && request.startedAt < to);
  const latencies = requests.map((request) => request.ms);
  return {
    summary: {
      requests: latencies.length,
      failures: requests.filter((request) => request.failed).length,
      p50Ms: round(percentile(latencies, 50), 1),
      p99Ms: round(percentile(latencies, 99), 1),
    },
    requests,
  };
}

/**
 * How long the gateway and the services it called took to serve each steady request, as their
 * request log lines say (whole milliseconds, found by the request's correlation id). Beside
 * the time the caller waited, they tell where a slow request spent it: before the gateway's
 * handler began or after it ended (the caller, the connection, the gateway's turn on a core),
 * in the gateway itself, or in the answer service or the projection (a read calls one, then
 * the other) with PostgreSQL. An answer is handed to the answer service in a batch under the
 * batch's own id, so only the gateway's time is known for it.
 */
class ServedTimes {
  readonly #byCorrelationId = new Map<
    string,
    { gatewayMs?: number; answerServiceMs?: number; projectionMs?: number }
  >();

  read(service: ServiceName, line: string): void {
    if (!line.includes(`"correlationId":"${steadyCorrelationPrefix}`)) return;
    const { msg, durationMs, correlationId } = JSON.parse(line) as {
      msg?: string;
      durationMs?: number;
      correlationId: string;
    };
    if (msg !== 'request' || durationMs === undefined) return;
    const times = this.#byCorrelationId.get(correlationId) ?? {};
    if (service === 'gateway') times.gatewayMs = durationMs;
    if (service === 'answer') times.answerServiceMs = durationMs;
    if (service === 'projection') times.projectionMs = durationMs;
    this.#byCorrelationId.set(correlationId, times);
  }

  of(correlationId: string) {
    return this.#byCorrelationId.get(correlationId) ?? {};
  }
}

/**
 * Where in the burst the gateway was slow: its requests that started between the instant and
 * the last push (the drain itself), and the five slowest of the whole window, each at its
 * seconds from the instant, with how long each service took to serve it and how late each
 * one's event loop was around then.
 */
function whenSlow(
  requests: readonly SteadyRequest[],
  instant: Date,
  drainSeconds: number,
  { served, loopDelaysAround }: { served: ServedTimes; loopDelaysAround: (endedAt: number) => Record<string, number> },
) {
  const fromInstant = (request: SteadyRequest) => (request.startedAt - instant.getTime()) / 1000;
  const inDrain = requests
    .filter((request) => fromInstant(request) >= 0 && fromInstant(request) <= drainSeconds)
    .map((request) => request.ms);
  return {
    duringDrain: {
      requests: inDrain.length,
      p50Ms: round(percentile(inDrain, 50), 1),
      p99Ms: round(percentile(inDrain, 99), 1),
    },
    slowest: requests
      .toSorted((a, b) => b.ms - a.ms)
      .slice(0, 5)
      .map((request) => ({
        secondsFromInstant: round(fromInstant(request), 2),
        ms: round(request.ms, 1),
        request: request.answering ? 'answer' : 'read',
        ...served.of(request.correlationId),
        eventLoopLateMs: loopDelaysAround(request.startedAt + request.ms),
      })),
  };
}

/**
 * Each service's /metrics, scraped once a second (every scrape also costs the services and
 * PostgreSQL, so once, not once per figure), and its resident memory from /proc:
 * - the events every outbox relay published to SNS (`haru_outbox_events_published_total`);
 * - the highest JavaScript heap kept alive (`haru_nodejs_heap_live_bytes`: in use just after a
 *   full collection), what the process holds; the highest heap in use at any moment
 *   (`haru_nodejs_heap_size_used_bytes`), which also counts garbage not yet collected; the
 *   highest heap in use and the highest heap kept on the notifier's send threads
 *   (`haru_notifier_send_threads_heap_used_bytes`, `haru_notifier_send_threads_heap_live_bytes`),
 *   which the process's heap figures leave out; and the highest resident memory, which also
 *   keeps what the heap once needed;
 * - the longest its event loop was late since the last scrape
 *   (`haru_nodejs_eventloop_lag_max_seconds`, which each scrape starts afresh): busy with work
 *   of its own, collecting garbage, or waiting for a core.
 */
/** Each heap figure a service's /metrics gives, by the name of its peak in the results. */
const heapMetrics = {
  peakLiveHeapMiB: 'haru_nodejs_heap_live_bytes',
  peakHeapUsedMiB: 'haru_nodejs_heap_size_used_bytes',
  /** The notifier's send threads, whose heaps are not in its process's heap figures. */
  peakSendThreadsHeapUsedMiB: 'haru_notifier_send_threads_heap_used_bytes',
  peakSendThreadsLiveHeapMiB: 'haru_notifier_send_threads_heap_live_bytes',
} as const;
type HeapPeak = keyof typeof heapMetrics;

function servicesSampler(services: Awaited<ReturnType<typeof startBenchServices>>, token: string) {
  const names: ServiceName[] = ['gateway', 'answer', 'projection', 'scheduler', 'notifier'];
  const published: PublishedSample[] = [];
  const rss = new Map<ServiceName, number>();
  const heaps = Object.fromEntries(
    Object.keys(heapMetrics).map((peak) => [peak, new Map<ServiceName, number>()]),
  ) as Record<HeapPeak, Map<ServiceName, number>>;
  /** When each service's live heap peaked (epoch ms): in preparing the burst, or in its drain. */
  const liveHeapPeakAt = new Map<ServiceName, number>();
  /** Each scrape's reading of how late the service's event loop was at most since the one before. */
  const loopDelays = new Map<ServiceName, Array<{ at: number; maxMs: number }>>(names.map((name) => [name, []]));
  const raise = (peaks: Map<ServiceName, number>, name: ServiceName, mib: number) =>
    peaks.set(name, Math.max(peaks.get(name) ?? 0, mib));
  const sample = async () => {
    let total = 0;
    for (const name of names) {
      try {
        const status = readFileSync(`/proc/${services.pid(name)}/status`, 'utf8');
        raise(rss, name, Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
      } catch {
        // The process is gone; its last figure stands.
      }
      const text = await fetch(`${services.url(name)}/metrics`, { headers: { [serviceTokenHeader]: token } })
        .then((response) => response.text())
        .catch(() => '');
      for (const [peak, metric] of Object.entries(heapMetrics) as Array<[HeapPeak, string]>) {
        const bytes = metricSample(text, metric);
        if (bytes === undefined) continue;
        if (peak === 'peakLiveHeapMiB' && bytes / 2 ** 20 > (heaps[peak].get(name) ?? 0)) {
          liveHeapPeakAt.set(name, Date.now());
        }
        raise(heaps[peak], name, bytes / 2 ** 20);
      }
      const loopDelaySeconds = metricSample(text, 'haru_nodejs_eventloop_lag_max_seconds');
      if (loopDelaySeconds !== undefined)
        loopDelays.get(name)?.push({ at: Date.now(), maxMs: loopDelaySeconds * 1000 });
      for (const line of text.split('\n')) {
        if (line.startsWith('haru_outbox_events_published_total')) total += Number(line.split(' ').at(-1)) || 0;
      }
    }
    published.push({ at: Date.now(), total });
  };
  const timer = setInterval(sample, 1000);
  void sample();
  const peaks = (map: Map<ServiceName, number>) =>
    Object.fromEntries([...map].map(([name, mib]) => [name, round(mib)]));
  return {
    /** Publishes in each second around the instant (`publishesPerSecond`), and the memory peaks. */
    stop(instant: Date) {
      clearInterval(timer);
      const heapPeaks = Object.fromEntries(Object.entries(heaps).map(([peak, map]) => [peak, peaks(map)]));
      return {
        publishesPerSecond: publishesPerSecond(published, instant),
        /**
         * How late the event loop of each service a request goes through was at most, in the
         * scrape interval (about a second) that a request ending at `endedAt` (epoch ms) ended in.
         */
        loopDelaysAround: (endedAt: number) =>
          Object.fromEntries(
            (['gateway', 'answer', 'projection'] as const).map((name) => [
              name,
              round(loopDelays.get(name)?.find((reading) => reading.at >= endedAt)?.maxMs ?? Number.NaN),
            ]),
          ),
        peakRssMiB: peaks(rss),
        peakLiveHeapSecondsFromInstant: Object.fromEntries(
          [...liveHeapPeakAt].map(([name, at]) => [name, round((at - instant.getTime()) / 1000, 1)]),
        ),
        ...(heapPeaks as Record<HeapPeak, Record<string, number>>),
      };
    },
  };
}

/**
 * When each hop happened for the burst's families' pushes of `kind`, in seconds from the
 * instant (negative: ahead): p50, p99 and the last. A reminder is not opened: it has no such hop.
 */
async function hopTimings(
  database: pg.Pool,
  instant: Date,
  familyIds: readonly string[],
  kind: 'question' | 'reminder',
) {
  // `query` names the families as $1 and, when given `byKind`, the kind as $3.
  const at = async (label: string, query: string, byKind = true) => {
    const { rows } = await database.query<{
      p50: number | null;
      p99: number | null;
      last: number | null;
      first: Date | null;
    }>(
      `select percentile_cont(0.5) within group (order by s) as p50,
              percentile_cont(0.99) within group (order by s) as p99, max(s) as last, min(t) as first
       from (select t, extract(epoch from t - $2::timestamptz)::float8 as s from (${query}) as hop) as timed`,
      byKind ? [familyIds, instant, kind] : [familyIds, instant],
    );
    const row = rows[0];
    return {
      hop: label,
      p50: round(row?.p50 ?? Number.NaN, 2),
      p99: round(row?.p99 ?? Number.NaN, 2),
      last: round(row?.last ?? Number.NaN, 2),
      first: row?.first,
    };
  };
  const hops = [
    await at(
      `${kind === 'question' ? 'QuestionDue' : 'ReminderDue'} announced (scheduler)`,
      `select fired_at as t from scheduler.fired where kind = $3 and family_id = any($1)`,
    ),
    ...(kind === 'question'
      ? [
          await at(
            'question opened ahead (answer service)',
            `select occurred_at as t from answer.events where type = 'QuestionOpened' and family_id = any($1)`,
            false,
          ),
        ]
      : []),
    await at(
      'push prepared (notifier)',
      `select created_at as t from notifier.notifications where kind = $3 and family_id = any($1)`,
    ),
    await at(
      'result recorded (notifier)',
      `select d.updated_at as t from notifier.deliveries d join notifier.notifications n using (notification_id)
       where n.kind = $3 and n.family_id = any($1)`,
    ),
  ];
  return {
    /** How long before the instant the first push was announced. */
    firstAnnouncedSecondsAhead: round((instant.getTime() - (hops[0]?.first?.getTime() ?? instant.getTime())) / 1000, 1),
    seconds: hops.map(({ hop, p50, p99, last }) => ({ hop, p50, p99, last })),
  };
}

/** Whose each of PostgreSQL's processes is: a client's application_name, or the server's own process type. */
async function postgresProcessRoles(database: pg.Pool): Promise<Map<number, string>> {
  const { rows } = await database.query<{ pid: number; role: string }>(
    `select pid, case when backend_type = 'client backend' then coalesce(nullif(application_name, ''), 'unnamed client')
                      else backend_type end as role
     from pg_stat_activity`,
  );
  return new Map(rows.map(({ pid, role }) => [pid, role]));
}

/**
 * firebase-admin alone: `count` pushes to the endpoint, 500 a call, as many calls at once and
 * on as many send threads as a notifier; with the CPU each group used while they were sent.
 */
async function firebaseAdminAlone(fcmUrl: string, count: number, cpuGroups: CpuGroups) {
  await clearFcmMessages(fcmUrl);
  // On as many send threads as the notifier's, so that only haru's own work tells the two apart.
  const fcm = startSendThreads({ projectId: 'demo-haru', fcmEndpointUrl: fcmUrl, threads: sendThreads });
  try {
    const chunks = Array.from({ length: Math.ceil(count / maxMessagesPerSend) }, (_, chunk) =>
      Array.from({ length: Math.min(maxMessagesPerSend, count - chunk * maxMessagesPerSend) }, (_, index) =>
        pushMessage({
          token: `ceiling-${chunk}-${index}`,
          notificationId: crypto.randomUUID(),
          kind: 'question',
          familyId: crypto.randomUUID(),
          questionId: crypto.randomUUID(),
          content: { title: "Today's question", body: 'What made you laugh today?' },
        }),
      ),
    );
    await fcm.ready();
    const cpu = measureCpu(cpuGroups);
    const startedAt = Date.now();
    const started = performance.now();
    await mapConcurrently(chunks, sendConcurrency, async (messages) => {
      const { responses } = await fcm.sendEach(messages);
      if (responses.some((response) => !response.success)) throw new Error('the ceiling run had a refused push');
    });
    const seconds = (performance.now() - started) / 1000;
    const measured = { seconds, perSecond: count / seconds, cpu: cpu.stop() };
    const firstReceivedAt = (await fcmMessages(fcmUrl)).reduce(
      (first, received) => Math.min(first, Date.parse(received.receivedAt)),
      Number.POSITIVE_INFINITY,
    );
    return { ...measured, firstSeconds: (firstReceivedAt - startedAt) / 1000 };
  } finally {
    await fcm.close();
  }
}

const runs = [];
for (const families of sizes) runs.push(await runBurst(families));
await writeResults('burst', {
  benchmark: 'burst',
  method:
    'N families due in one minute through the five services as processes (embedded PostgreSQL, fauxqs, the local FCM endpoint), 1–3 devices each; lateness = endpoint receive time − the instant; ceiling = firebase-admin alone sending as many pushes to the same endpoint, in the same run',
  machine: describeMachine(),
  runs,
});
