// End to end: from the last member's answer to the "everyone answered" push arriving at
// the local FCM endpoint (see docs/benchmarks.md).
//
//   node bench/end-to-end/end-to-end.bench.ts [--quick]
//
// The whole stack as in production: the five services each their own process, embedded
// PostgreSQL, fauxqs and the local FCM endpoint (on a thread of the bench), the Auth
// emulator. Families of two (a parent and a child, each with a device), no quiet hours.
// Each round opens a new question in every family (a QuestionDue on the topic, as the
// scheduler sends), the parents answer, and once the system is idle the children answer
// at a steady rate, each being the family's last answer. The latency of a family is from
// its last answer's request leaving the bench to the later of its two "complete" pushes
// being received by the FCM endpoint (the endpoint's own receivedAt).
//
// A queue of the bench's own, subscribed to the topic, records AnswerSubmitted,
// FamilyQuestionCompleted and DueAndComplete, whose occurredAt splits the path into stages.
// The stack runs first with every service's defaults, then again with a shorter scheduler
// tick (the scheduler restarted with SCHEDULER_TICK_MS), to show what bounds the path.

import { SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { ReceivedFcmMessage } from '@haru/dev-stack';
import { createAwsClients } from '@haru/messaging';
import pg from 'pg';
import { startBenchServices } from '../support/bench-services.ts';
import { startBenchStack } from '../support/bench-stack.ts';
import { mapConcurrently, waitFor } from '../support/concurrently.ts';
import { benchAuthEmulatorPids, type CpuUse, measureCpu, withChildren } from '../support/cpu.ts';
import { describeMachine, oneMinuteLoad } from '../support/machine.ts';
import { benchDate, callApp, createFamilies, type Family, openQuestions } from '../support/population.ts';
import { readProfile, sized } from '../support/profile.ts';
import { progressLog } from '../support/progress.ts';
import { writeResults } from '../support/results.ts';
import { median, percentile, round } from '../support/stats.ts';

const profile = readProfile();
const families = sized(profile, { quick: 30, full: 500 });
const rounds = sized(profile, { quick: 2, full: 3 });
/** Last answers sent per second: a steady trickle, so that the figure is latency, not a backlog. */
const answersPerSecond = sized(profile, { quick: 20, full: 25 });
const targets = { p50Ms: 150, p99Ms: 500 };
const configurations = [
  { name: 'defaults', scheduler: {} },
  { name: 'scheduler tick 50 ms', scheduler: { SCHEDULER_TICK_MS: '50' } },
] as const;
const tapTypes = ['AnswerSubmitted', 'FamilyQuestionCompleted', 'DueAndComplete'] as const;

const log = progressLog('end-to-end');
const machine = describeMachine();
const startedAt = performance.now();
log(`profile ${profile}: ${families} families, ${rounds} rounds per configuration at ${answersPerSecond}/s`);

const stack = await startBenchStack({ name: 'end-to-end', auth: true, fcm: true });
log('stack started');
// A long poll returns as soon as a message arrives, so its length does not delay events;
// shorter, it lets the scheduler restart between configurations without waiting 10 s.
const consumerWaitTimeSeconds = '2';
const services = await startBenchServices(stack, {
  environment: () => ({ CONSUMER_WAIT_TIME_SECONDS: consumerWaitTimeSeconds }),
});
log('services started');
const clients = createAwsClients({ AWS_REGION: stack.awsRegion, AWS_ENDPOINT_URL: stack.awsEndpointUrl });
const database = new pg.Pool({ connectionString: stack.databaseUrl, max: 2 });
const fcm = stack.fcmEndpointUrl ?? '';

interface Sample {
  familyId: string;
  /** Epoch ms: request sent, response received, and the stages' events. */
  sentAt: number;
  answeredAt: number;
  completedAt?: number;
  dueAndCompleteAt?: number;
  firstPushAt?: number;
  lastPushAt?: number;
}

interface RoundResult {
  samples: Sample[];
  cpu: CpuUse;
}

try {
  const tap = await createTap(clients.sqs);
  const gateway = services.url('gateway');
  const population = await createFamilies({ stack, gateway, families, membersPerFamily: 2, devices: true });
  log(`${families} families of two with devices`);

  const cpuGroups = {
    ...Object.fromEntries(
      (['gateway', 'answer', 'projection', 'scheduler', 'notifier'] as const).map((name) => [
        name,
        () => [services.pid(name)],
      ]),
    ),
    postgres: () => {
      const pid = stack.postgresPid();
      return pid ? withChildren(pid) : [];
    },
    'Auth emulator': benchAuthEmulatorPids,
    'bench (fauxqs, FCM endpoint)': () => [process.pid],
  };

  let day = 0;
  const runRound = async (): Promise<RoundResult> => {
    const localDate = benchDate(day++);
    await openQuestions(
      stack,
      population.map((family) => family.familyId),
      localDate,
    );
    // Every device has today's question: the notifier knows the members, their devices and the question.
    await waitFor(
      `today's question on ${families * 2} devices`,
      async () =>
        (await fcmMessages()).filter((message) => message.message.data?.kind === 'question').length >= families * 2,
    );
    const questions = await openedQuestions(localDate);
    await waitFor('the scheduler to know every question', async () => {
      const { rows } = await database.query(
        'select count(*)::int as n from scheduler.question_progress where question_id = any($1) and opened_at is not null',
        [[...questions.values()]],
      );
      return rows[0]?.n === families;
    });
    await mapConcurrently(population, 16, (family) => answer(family, 0, questions));
    await waitFor('the projection to record the parents\u2019 answers', async () => {
      const { rows } = await database.query(
        'select count(*)::int as n from projection.answers where question_id = any($1)',
        [[...questions.values()]],
      );
      return rows[0]?.n === families;
    });
    await waitFor('the queues to be idle', () => stack.queuesIdle(), { intervalMs: 100 });
    await clearFcm();
    await drainTap(clients.sqs, tap);

    const cpu = measureCpu(cpuGroups);
    const started = performance.now();
    const samples = await Promise.all(
      population.map(async (family, index) => {
        const wait = started + (index * 1000) / answersPerSecond - performance.now();
        if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
        const sentAt = Date.now();
        await answer(family, 1, questions);
        return { familyId: family.familyId, sentAt, answeredAt: Date.now() } as Sample;
      }),
    );
    const pushes = await waitFor(
      `"everyone answered" on ${families * 2} devices`,
      async () => {
        const complete = (await fcmMessages()).filter((message) => message.message.data?.kind === 'complete');
        return complete.length >= families * 2 ? complete : undefined;
      },
      { intervalMs: 250, timeoutMs: 120_000 },
    );
    const used = cpu.stop();

    const byFamily = new Map(samples.map((sample) => [sample.familyId, sample]));
    for (const push of pushes) {
      const sample = byFamily.get(String(push.message.data?.familyId));
      if (!sample) continue;
      const at = Date.parse(push.receivedAt);
      sample.firstPushAt = Math.min(sample.firstPushAt ?? at, at);
      sample.lastPushAt = Math.max(sample.lastPushAt ?? at, at);
    }
    const childOf = new Map(population.map((family) => [family.familyId, family.members[1]?.memberId]));
    for (const event of await drainTap(clients.sqs, tap)) {
      const sample = byFamily.get(event.familyId);
      if (!sample) continue;
      if (event.type === 'AnswerSubmitted' && event.data.memberId !== childOf.get(event.familyId)) continue;
      const at = Date.parse(event.occurredAt);
      if (event.type === 'FamilyQuestionCompleted') sample.completedAt = at;
      if (event.type === 'DueAndComplete') sample.dueAndCompleteAt = at;
    }
    return { samples, cpu: used };
  };

  const answer = (family: Family, position: number, questions: Map<string, string>) => {
    const member = family.members[position];
    if (!member) throw new Error('no such member');
    const questionId = questions.get(family.familyId);
    return callApp(
      gateway,
      member.idToken,
      'PUT',
      `/v1/families/${family.familyId}/questions/${questionId}/answer`,
      { text: position === 0 ? 'Dinner together' : 'Football' },
      [201],
    );
  };

  const openedQuestions = (localDate: string) =>
    waitFor(`questions of ${localDate} to open`, async () => {
      const { rows } = await database.query<{ family_id: string; question_id: string }>(
        `select family_id, data->>'questionId' as question_id from answer.events
         where type = 'QuestionOpened' and data->>'localDate' = $1`,
        [localDate],
      );
      return rows.length === families ? new Map(rows.map((row) => [row.family_id, row.question_id])) : undefined;
    });

  const results: Record<string, unknown> = {};
  for (const configuration of configurations) {
    if (Object.keys(configuration.scheduler).length > 0) {
      await services.restart('scheduler', {
        CONSUMER_WAIT_TIME_SECONDS: consumerWaitTimeSeconds,
        ...configuration.scheduler,
      });
      log(`scheduler restarted with ${JSON.stringify(configuration.scheduler)}`);
    }
    const measured: RoundResult[] = [];
    for (let index = 0; index <= rounds; index++) {
      const result = await runRound();
      const latencies = result.samples.map((sample) => (sample.lastPushAt ?? Number.NaN) - sample.sentAt);
      log(
        `${configuration.name}, ${index === 0 ? 'warm-up' : `round ${index}`}: p50 ${percentile(latencies, 50)} ms ` +
          `p99 ${percentile(latencies, 99)} ms; ${JSON.stringify(stages(result.samples))}`,
      );
      if (index > 0) measured.push(result);
    }
    results[configuration.name] = summarise(measured, configuration.scheduler, Object.keys(cpuGroups));
  }

  const headline = results.defaults as ReturnType<typeof summarise>;
  const tuned = results['scheduler tick 50 ms'] as ReturnType<typeof summarise>;
  const report = {
    benchmark: 'end-to-end',
    profile,
    measuredAt: new Date().toISOString(),
    command: `node bench/end-to-end/end-to-end.bench.ts${profile === 'quick' ? ' --quick' : ''}`,
    machine: { ...machine, loadAverageAtEnd: oneMinuteLoad() },
    settings: {
      families,
      membersPerFamily: 2,
      devicesPerFamily: 2,
      rounds,
      warmUpRounds: 1,
      lastAnswersPerSecond: answersPerSecond,
      processes: 'five services each a process; PostgreSQL; fauxqs and the FCM endpoint on a thread of the bench',
      serviceDefaults: {
        SCHEDULER_TICK_MS: 1000,
        OUTBOX_POLL_INTERVAL_MS: 1000,
        CONSUMER_WAIT_TIME_SECONDS: 10,
        CONSUMER_CONCURRENCY: 10,
      },
      environmentOfEveryService: { CONSUMER_WAIT_TIME_SECONDS: Number(consumerWaitTimeSeconds) },
      postgres: stack.settings.postgres,
    },
    configurations: results,
    targets,
    meetsTargets: {
      defaults: { p50: headline.latencyMs.p50 <= targets.p50Ms, p99: headline.latencyMs.p99 <= targets.p99Ms },
      tuned: { p50: tuned.latencyMs.p50 <= targets.p50Ms, p99: tuned.latencyMs.p99 <= targets.p99Ms },
    },
    wallSeconds: round((performance.now() - startedAt) / 1000, 1),
  };
  const file = await writeResults('end-to-end', report);
  log(`wrote ${file}`);
  for (const [name, figures] of Object.entries(results) as [string, ReturnType<typeof summarise>][]) {
    console.log(
      `end to end (${name}): p50 ${figures.latencyMs.p50} ms, p99 ${figures.latencyMs.p99} ms over ${figures.families} last answers`,
    );
  }
} catch (error) {
  log(services.recentLogs());
  throw error;
} finally {
  clients.sns.destroy();
  clients.sqs.destroy();
  await database.end();
  await services.stop();
  await stack.stop();
}

/** Latency percentiles over every family of every measured round, and per stage. */
function summarise(measured: RoundResult[], environment: Record<string, string>, groups: string[]) {
  const samples = measured.flatMap((result) => result.samples);
  const latencies = samples.map((sample) => (sample.lastPushAt ?? Number.NaN) - sample.sentAt);
  const missing = samples.filter((sample) => sample.lastPushAt === undefined).length;
  return {
    schedulerEnvironment: environment,
    families: samples.length,
    missingPushes: missing,
    latencyMs: {
      p50: percentile(latencies, 50),
      p90: percentile(latencies, 90),
      p99: percentile(latencies, 99),
      max: Math.max(...latencies),
    },
    firstDeviceMs: {
      p50: percentile(
        samples.map((s) => (s.firstPushAt ?? Number.NaN) - s.sentAt),
        50,
      ),
    },
    roundMedians: {
      p50: median(measured.map((result) => percentile(latencyOf(result), 50))),
      p99: median(measured.map((result) => percentile(latencyOf(result), 99))),
    },
    stagesMs: stages(samples),
    cpuCores: Object.fromEntries(
      groups.map((name) => [name, round(median(measured.map((result) => result.cpu.cores[name] ?? 0)), 2)]),
    ),
    machineBusy: round(median(measured.map((result) => result.cpu.machineBusy)), 2),
  };
}

function latencyOf(result: RoundResult): number[] {
  return result.samples.map((sample) => (sample.lastPushAt ?? Number.NaN) - sample.sentAt);
}

/**
 * p50 and p99 of each stage, from the events' occurredAt (every process shares the clock):
 * - answer request: sent → its 201 received;
 * - to completion: sent → the projection's FamilyQuestionCompleted (answer service
 *   commit, relay, SNS → SQS, projection);
 * - to due: completion → the scheduler's DueAndComplete (relay, SNS → SQS, scheduler
 *   consumer, then waiting for the due tick);
 * - to push: DueAndComplete → the last device's push received (relay, SNS → SQS,
 *   notifier, firebase-admin → FCM endpoint).
 */
function stages(samples: Sample[]) {
  const stage = (from: (sample: Sample) => number | undefined, to: (sample: Sample) => number | undefined) => {
    const values = samples.flatMap((sample) => {
      const start = from(sample);
      const end = to(sample);
      return start === undefined || end === undefined ? [] : [end - start];
    });
    return { p50: percentile(values, 50), p99: percentile(values, 99) };
  };
  return {
    answerRequest: stage(
      (sample) => sample.sentAt,
      (sample) => sample.answeredAt,
    ),
    toCompletion: stage(
      (sample) => sample.sentAt,
      (sample) => sample.completedAt,
    ),
    toDue: stage(
      (sample) => sample.completedAt,
      (sample) => sample.dueAndCompleteAt,
    ),
    toPush: stage(
      (sample) => sample.dueAndCompleteAt,
      (sample) => sample.lastPushAt,
    ),
  };
}

async function fcmMessages(): Promise<Array<ReceivedFcmMessage & { message: { data?: Record<string, string> } }>> {
  const response = await fetch(`${fcm}/messages`);
  return (
    (await response.json()) as { messages: Array<ReceivedFcmMessage & { message: { data?: Record<string, string> } }> }
  ).messages;
}

async function clearFcm(): Promise<void> {
  await fetch(`${fcm}/messages`, { method: 'DELETE' });
}

/** A queue of the bench's own on the topic, receiving the events that mark the stages. */
async function createTap(sqs: SQSClient): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${stack.topologyPrefix}-bench-tap` }));
  if (!QueueUrl) throw new Error('no tap queue');
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await clients.sns.send(
    new SubscribeCommand({
      TopicArn: stack.topicArn,
      Protocol: 'sqs',
      Endpoint: Attributes?.QueueArn,
      Attributes: { RawMessageDelivery: 'true', FilterPolicy: JSON.stringify({ type: [...tapTypes] }) },
    }),
  );
  return QueueUrl;
}

interface TappedEvent {
  type: string;
  familyId: string;
  occurredAt: string;
  data: { memberId?: string };
}

async function drainTap(sqs: SQSClient, queueUrl: string): Promise<TappedEvent[]> {
  const events: TappedEvent[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (Messages.length === 0) return events;
    for (const message of Messages) events.push(JSON.parse(message.Body ?? '{}') as TappedEvent);
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
      }),
    );
  }
}
