// A day of haru under faults: families live through a question and its answers while every
// service is killed with SIGKILL (and restarted) at random moments, PostgreSQL restarts,
// FCM refuses a share of sends and events are delivered again, late and out of order.
// Afterwards it checks what the users saw: every push once, nothing lost, nothing stray,
// every dead-letter queue empty and the projection equal to a replay of the events.
import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, type Database } from '@haru/db';
import {
  createDatabaseIfMissing,
  describeExit,
  eventually,
  type FcmEndpoint,
  freePort,
  freeServicePorts,
  launchService,
  migrateServices,
  type RunningPostgres,
  type ServiceName,
  type ServiceProcess,
  type StackParts,
  serviceEnvironment,
  serviceNames,
  startEmbeddedPostgres,
  startFcmEndpoint,
  waitUntilReady,
} from '@haru/dev-stack';
import {
  type AppliedTopology,
  type AwsClients,
  applyTopology,
  createAwsClients,
  listDeadLetterQueues,
} from '@haru/messaging';
import { sql } from 'kysely';
import pLimit from 'p-limit';
import { isQueueIdle } from '../queue-reader.ts';
import { signInTestUser, type TestUser } from '../sign-in-test-user.ts';
import { awkwardTimeZones, wallClockIn } from '../time-zones.ts';
import { uniqueTopologyPrefix } from '../unique-topology-prefix.ts';
import { verifyProjection } from '../verify-projection.ts';
import {
  type AcceptedPush,
  type DayVerdict,
  dayVerdict,
  type ExpectedDevice,
  type Interruption,
} from './day-verdict.ts';
import { patientApp } from './patient-app.ts';
import { startRedeliverer } from './redeliverer.ts';

export interface ChaosDayOptions {
  families: number;
  /** Push times are spread over this many consecutive minutes. */
  spreadMinutes: number;
  /** SIGKILLs per service, at random moments while pushes and answers are under way. */
  killsPerService: number;
  /** Share of devices whose first send FCM refuses with 503 (`flaky-` tokens). */
  flakyShare?: number;
  /** Share of events published a second time, up to `redeliveryDelayMs` later. */
  redeliveryShare?: number;
  redeliveryDelayMs?: number;
  seed?: number;
  /** SNS/SQS and the Auth emulator to use; the day brings its own PostgreSQL and FCM endpoint. */
  awsEndpointUrl: string;
  authEmulatorHost: string;
  firebaseProjectId?: string;
  log?: (line: string) => void;
}

export interface ChaosDayReport {
  seed: number;
  families: number;
  devices: number;
  verdict: DayVerdict;
  /** Messages left in each consumer's dead-letter queue. */
  deadLettered: Record<string, number>;
  projectionMatchesReplay: boolean;
  projectionVerifyOutput: string;
  kills: Record<ServiceName, number>;
  /** Exits nobody asked for (the service was started again, as an orchestrator would). */
  crashes: Record<ServiceName, number>;
  postgresRestarts: number;
  redelivered: number;
  flakyRejections: number;
  acceptedPushes: number;
  /** Answers that never went through (the test fails on them as it would on a lost push). */
  failedAnswers: string[];
  durationMs: number;
}

interface Member {
  idToken: string;
  device: string;
  familyId: string;
}

export async function runChaosDay(options: ChaosDayOptions): Promise<ChaosDayReport> {
  const {
    families,
    spreadMinutes,
    killsPerService,
    flakyShare = 0.2,
    redeliveryShare = 0.1,
    redeliveryDelayMs = 10_000,
    seed = randomBytes(4).readUInt32LE(),
    awsEndpointUrl,
    authEmulatorHost,
    firebaseProjectId = 'demo-haru',
    log = () => {},
  } = options;
  const startedAt = Date.now();
  // One generator for the fault plan and one for the families, so that a seed replays the same plan.
  const plan = seededRandom(seed);
  const random = seededRandom(seed + 1);
  const between = (low: number, high: number) => low + plan() * (high - low);
  log(`seed ${seed}: ${families} families, push times over ${spreadMinutes} min, ${killsPerService} kills per service`);

  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    // PostgreSQL of its own, since it is restarted mid-day; an FCM endpoint of its own, to count every push.
    const root = await mkdtemp(join(tmpdir(), 'haru-chaos-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    await chmod(root, 0o755);
    const postgresOptions = {
      dataDir: join(root, 'postgres'),
      port: await freePort(),
      settings: { max_connections: '300', fsync: 'off' },
    };
    let postgres: RunningPostgres = await startEmbeddedPostgres(postgresOptions);
    cleanups.push(() => postgres.stop());
    const fcm: FcmEndpoint = await startFcmEndpoint({ port: 0 });
    cleanups.push(() => fcm.stop());

    const aws = createAwsClients({ AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: awsEndpointUrl });
    const topologyPrefix = uniqueTopologyPrefix();
    const topology = await applyTopology(aws, topologyPrefix);
    const ports = await freeServicePorts();
    const parts: StackParts = {
      databaseUrl: await createDatabaseIfMissing(postgres.url, 'haru_chaos'),
      internalApiToken: randomBytes(24).toString('base64url'),
      awsRegion: 'us-east-1',
      awsEndpointUrl,
      topologyPrefix,
      firebaseProjectId,
      authEmulatorHost,
      fcmEndpointUrl: fcm.url,
      ports,
      logLevel: 'warn',
    };

    // The services, each its own process; restarting one means launching it again.
    const quiet = { output: () => {} };
    // NotificationSent is spread over a second rather than five minutes, so that the day's
    // outboxes drain within the test.
    const env = (name: ServiceName) => ({
      ...serviceEnvironment(name, parts),
      ...(name === 'notifier' ? { NOTIFIER_REPORT_SPREAD_MS: '1000' } : {}),
    });
    await migrateServices(serviceNames, env, () => quiet);
    // Like the container orchestrator in production, a service that exits by itself is
    // started again (and counted: a crash is a finding, not a planned fault).
    const running = new Map<ServiceName, ServiceProcess>();
    const killedOnPurpose = new Set<ServiceProcess>();
    const crashes = Object.fromEntries(serviceNames.map((name) => [name, 0])) as Record<ServiceName, number>;
    let shuttingDown = false;
    const launch = (name: ServiceName) => {
      const service = launchService(name, env(name), quiet);
      running.set(name, service);
      void service.exited.then(async (status) => {
        if (shuttingDown || killedOnPurpose.has(service)) return;
        crashes[name]++;
        log(
          `${name} ${describeExit(status)} by itself; restarting it:\n  ${service.recentOutput().slice(-15).join('\n  ')}`,
        );
        await until(Date.now() + 1_000);
        if (!shuttingDown) launch(name);
      });
    };
    const ready = (name: ServiceName) =>
      eventually(
        async () => {
          const response = await fetch(`http://127.0.0.1:${ports[name]}/readyz`).catch(() => undefined);
          return response?.ok === true;
        },
        { timeoutMs: 120_000, intervalMs: 100, message: `${name} ready again` },
      );
    cleanups.push(async () => {
      shuttingDown = true;
      await Promise.all([...running.values()].map((service) => service.kill()));
    });
    for (const name of serviceNames) launch(name);
    await Promise.all(
      serviceNames.map((name) => waitUntilReady(running.get(name) as ServiceProcess, { timeoutMs: 60_000 })),
    );
    const gateway = `http://127.0.0.1:${ports.gateway}`;
    log('stack up');

    const redeliverer = await startRedeliverer({
      aws,
      topicArn: topology.topicArn,
      tapQueueName: `${topologyPrefix}-chaos-tap`,
      share: redeliveryShare,
      maxDelayMs: redeliveryDelayMs,
      random,
    });
    cleanups.push(() => redeliverer.stop());

    // The families: members sign up first (the Auth emulator is the slow part); the push
    // times are then chosen so that creating, joining and registering devices fits before them.
    const app = patientApp(gateway);
    const signUpStarted = Date.now();
    const sizes = Array.from({ length: families }, () => 1 + Math.floor(random() * 3));
    const usersOf: TestUser[][] = [];
    const setUpSlots = pLimit(8);
    await setUpSlots.map(sizes, async (size, index) => {
      usersOf[index] = await Promise.all(Array.from({ length: size }, () => signInTestUser(authEmulatorHost)));
    });
    const plannedFirstPushAt = nextWholeMinute(Date.now() + 30_000 + 2 * (Date.now() - signUpStarted));
    const pushTimes: number[] = [];
    const members: Member[] = [];
    await setUpSlots.map(usersOf, async (users, index) => {
      // Should set-up run late on a loaded machine, a family still gets a push time ahead of it.
      const pushAt = new Date(
        Math.max(plannedFirstPushAt + (index % spreadMinutes) * 60_000, nextWholeMinute(Date.now() + 20_000)),
      );
      pushTimes.push(pushAt.getTime());
      const timezone = awkwardTimeZones[index % awkwardTimeZones.length] as string;
      const [founder, ...others] = users;
      if (!founder) throw new Error('a family needs a founder');
      const created = (await app.call(
        founder.idToken,
        'POST',
        '/v1/families',
        {
          name: `chaos ${index}`,
          timezone,
          pushTime: wallClockIn(timezone, 0, pushAt),
          quietHours: null,
          member: { role: 'parent', displayName: 'Parent', locale: index % 2 ? 'en' : 'ko' },
        },
        { 'idempotency-key': randomUUID() },
      )) as { familyId: string; inviteCode: string };
      for (const other of others) {
        await app.call(other.idToken, 'POST', '/v1/families/join', {
          inviteCode: created.inviteCode,
          member: { role: 'child', displayName: 'Child', locale: 'en' },
        });
      }
      for (const user of users) {
        const device = `${random() < flakyShare ? 'flaky-' : ''}chaos-${randomUUID()}`;
        await app.call(user.idToken, 'PUT', `/v1/me/devices/${device}`, {
          platform: random() < 0.5 ? 'ios' : 'android',
        });
        members.push({ idToken: user.idToken, device, familyId: created.familyId });
      }
    });
    const firstPushAt = Math.min(...pushTimes);
    const lastPushAt = Math.max(...pushTimes);
    log(
      `${families} families with ${members.length} devices; pushes from ${new Date(firstPushAt).toISOString()} to ${new Date(lastPushAt).toISOString()}`,
    );

    // Faults, at random moments from just before the first push until a minute after the last.
    const window = { from: Math.max(Date.now(), firstPushAt - 15_000), to: lastPushAt + 60_000 };
    const interruptions: Interruption[] = [];
    const kills = Object.fromEntries(serviceNames.map((name) => [name, 0])) as Record<ServiceName, number>;
    let postgresRestarts = 0;
    const killLoops = serviceNames.map(async (name) => {
      const moments = Array.from({ length: killsPerService }, () => between(window.from, window.to)).sort(
        (a, b) => a - b,
      );
      for (const moment of moments) {
        await until(moment);
        await ready(name);
        const service = running.get(name) as ServiceProcess;
        killedOnPurpose.add(service);
        if (name === 'notifier') interruptions.push({ at: Date.now(), what: 'notifier killed' });
        await service.kill();
        kills[name]++;
        await until(Date.now() + between(200, 3_000));
        launch(name);
      }
    });
    const postgresRestart = (async () => {
      await until(between(window.from, window.to));
      interruptions.push({ at: Date.now(), what: 'PostgreSQL restarted' });
      log('restarting PostgreSQL');
      await postgres.stop();
      postgres = await startEmbeddedPostgres(postgresOptions);
      postgresRestarts++;
    })();

    // Each member answers a few seconds after their device shows the question.
    const memberByDevice = new Map(members.map((member) => [member.device, member]));
    const answered = new Set<string>();
    let seen = 0;
    const answers: Promise<void>[] = [];
    const failedAnswers: string[] = [];
    const answering = eventually(
      () => {
        const received = fcm.messages();
        for (const { message } of received.slice(seen)) {
          const data = message.data as Record<string, string> | undefined;
          const member = memberByDevice.get(String(message.token));
          if (!member || data?.kind !== 'question' || answered.has(member.device)) continue;
          answered.add(member.device);
          answers.push(
            until(Date.now() + random() * 10_000)
              .then(() =>
                app.call(member.idToken, 'PUT', `/v1/families/${data.familyId}/questions/${data.questionId}/answer`, {
                  text: `answer of ${member.device}`,
                }),
              )
              .then(
                () => {},
                (error: unknown) => {
                  failedAnswers.push(String(error));
                },
              ),
          );
        }
        seen = received.length;
        return answered.size === members.length;
      },
      { timeoutMs: window.to - Date.now() + 240_000, intervalMs: 250, message: 'every member saw the question' },
    ).catch(() => false);

    await Promise.all([...killLoops, postgresRestart]);
    await Promise.all(serviceNames.map(ready));
    log(`faults done: ${JSON.stringify(kills)}, PostgreSQL restarted ${postgresRestarts}×`);
    await answering;
    await Promise.all(answers);

    // Let everything settle, then look at what the users got.
    const expected: ExpectedDevice[] = members.map(({ device, familyId }) => ({ token: device, familyId }));
    await eventually(() => dayVerdict(expected, accepted(fcm), []).lost.length === 0, {
      timeoutMs: 180_000,
      intervalMs: 500,
      message: 'every expected push arrived',
    }).catch(() => log('not every expected push arrived; reporting what is missing'));
    await redeliverer.stop();
    // One connection for the whole wait rather than one per look.
    const observer = createDatabase({ url: parts.databaseUrl, schema: 'public', poolSize: 1 });
    cleanups.push(() => observer.close());
    await eventually(() => settled(aws, topology, observer), {
      timeoutMs: 180_000,
      intervalMs: 500,
      message: 'queues, outboxes and pending deliveries drained',
    });

    const verified = await verifyProjection(env('projection'), `http://127.0.0.1:${ports.answer}`);
    const report: ChaosDayReport = {
      seed,
      families,
      devices: members.length,
      verdict: dayVerdict(expected, accepted(fcm), interruptions),
      deadLettered: await deadLettered(aws, topologyPrefix),
      projectionMatchesReplay: verified.code === 0,
      projectionVerifyOutput: verified.output,
      kills,
      crashes,
      postgresRestarts,
      redelivered: redeliverer.redelivered(),
      flakyRejections: fcm.rejections().filter((rejection) => rejection.errorCode === 'UNAVAILABLE').length,
      acceptedPushes: fcm.messages().length,
      failedAnswers,
      durationMs: Date.now() - startedAt,
    };
    return report;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  }
}

/** The one line a run is judged by, and the details behind it. */
export function describeReport(report: ChaosDayReport): string {
  const { verdict } = report;
  const dlq = Object.values(report.deadLettered).reduce((sum, count) => sum + count, 0);
  return [
    `lost=${verdict.lost.length} duplicate=${verdict.duplicate.length} unexpected=${verdict.unexpected.length}`,
    `dead-lettered=${dlq} projection=${report.projectionMatchesReplay ? 'matches-replay' : 'DIFFERS'}`,
    `in-doubt-resent=${verdict.inDoubtResent.length}`,
    `families=${report.families} devices=${report.devices} pushes=${report.acceptedPushes}`,
    `kills=${JSON.stringify(report.kills)} crashes=${JSON.stringify(report.crashes)} postgres-restarts=${report.postgresRestarts}`,
    `redelivered=${report.redelivered} flaky-503s=${report.flakyRejections} seed=${report.seed}`,
    `took=${Math.round(report.durationMs / 1000)}s`,
  ].join(' ');
}

function accepted(fcm: FcmEndpoint): AcceptedPush[] {
  return fcm.messages().map(({ message, receivedAt }) => {
    const data = (message.data ?? {}) as Record<string, string>;
    return {
      token: String(message.token),
      kind: data.kind ?? '',
      familyId: data.familyId ?? '',
      questionId: data.questionId ?? '',
      notificationId: data.notificationId ?? '',
      receivedAt: Date.parse(receivedAt),
    };
  });
}

/** Nothing left to do anywhere: queues empty, outboxes published, no delivery pending. */
async function settled(aws: AwsClients, topology: AppliedTopology, database: Database<unknown>) {
  for (const { queueUrl } of Object.values(topology.queues)) {
    if (!(await isQueueIdle(aws.sqs, queueUrl))) return false;
  }
  const { rows } = await sql<{ waiting: string }>`
    select (select count(*) from answer.outbox) + (select count(*) from projection.outbox)
         + (select count(*) from scheduler.outbox) + (select count(*) from notifier.outbox)
         + (select count(*) from notifier.deliveries where status = 'pending') as waiting`.execute(database.db);
  return rows[0]?.waiting === '0';
}

/** Messages left in each consumer's dead-letter queue, waiting or in flight. */
async function deadLettered(aws: AwsClients, topologyPrefix: string) {
  const queues = await listDeadLetterQueues(aws, topologyPrefix);
  return Object.fromEntries(queues.map(({ consumer, depth }) => [consumer, depth.visible + depth.inFlight]));
}

/** Resolves at the given moment: the fault plan is a schedule, not a wait for a condition. */
const until = (moment: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, moment - Date.now())));

const nextWholeMinute = (after: number) => Math.ceil(after / 60_000) * 60_000;

/** mulberry32: a small seeded generator (fast-check's generators are built for properties, not schedules). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The promise kept: no lost, duplicate or stray push, nothing dead-lettered, the projection
 * equal to a replay, and no service that fell over by itself (restarting it hid the crash
 * from the users, not from this check).
 */
export function chaosDayPassed(report: ChaosDayReport): boolean {
  const { lost, duplicate, unexpected } = report.verdict;
  return (
    lost.length === 0 &&
    duplicate.length === 0 &&
    unexpected.length === 0 &&
    Object.values(report.deadLettered).every((count) => count === 0) &&
    report.projectionMatchesReplay &&
    report.failedAnswers.length === 0 &&
    Object.values(report.crashes).every((count) => count === 0)
  );
}
