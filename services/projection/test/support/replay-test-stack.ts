// Test support for replay tests: a real answer service (as a process, like in
// production: services never import each other) whose event store the projection
// replays, and families living days through its internal API. Only imported by tests.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  launchService,
  runMigrations,
  type ServiceProcess,
  type StackParts,
  serviceEnvironment,
  serviceUrl,
  waitUntilReady,
} from '@haru/dev-stack';
import { type AppliedTopology, type AwsClients, applyTopology, createAwsClients } from '@haru/messaging';
import {
  answerThrough,
  foundFamily,
  internalApi,
  publishQuestionDue,
  questionOpened,
  type Topic,
  testStackParts,
} from '@haru/testing';
import { eventFeed } from '../../src/replay/event-feed.ts';

export interface ReplayTestStack {
  parts: StackParts;
  clients: AwsClients;
  topology: AppliedTopology;
  /** Where events are published to reach the services (`publishEvent`). */
  topic: Topic;
  answerUrl: string;
  /** Variables for the projection (as a process, or for loadServiceConfig in-process). */
  projectionEnv: Record<string, string | undefined>;
  feed: ReturnType<typeof eventFeed>;
  stop(): Promise<void>;
}

/** Consumers poll briefly, so that stopping a service does not wait out a long poll. */
const quick = { CONSUMER_WAIT_TIME_SECONDS: '1', OUTBOX_POLL_INTERVAL_MS: '200' };

/** A database and topology of its own, both services migrated, the answer service running. */
export async function startReplayTestStack(): Promise<ReplayTestStack> {
  const parts = await testStackParts();
  const clients = createAwsClients({
    AWS_REGION: parts.awsRegion ?? 'us-east-1',
    AWS_ENDPOINT_URL: parts.awsEndpointUrl,
  });
  const topology = await applyTopology(clients, parts.topologyPrefix ?? '');
  const silent = { output: () => {} };
  await runMigrations('answer', serviceEnvironment('answer', parts), silent);
  await runMigrations('projection', serviceEnvironment('projection', parts), silent);
  const answer: ServiceProcess = launchService('answer', { ...serviceEnvironment('answer', parts), ...quick }, silent);
  try {
    await waitUntilReady(answer, { timeoutMs: 60_000 });
  } catch (error) {
    await answer.stop();
    throw error;
  }
  const answerUrl = serviceUrl('answer', parts);
  return {
    parts,
    clients,
    topology,
    topic: { sns: clients.sns, topicArn: topology.topicArn },
    answerUrl,
    projectionEnv: { ...serviceEnvironment('projection', parts), ...quick },
    feed: eventFeed({ answerUrl, internalApiToken: parts.internalApiToken }),
    stop: async () => {
      await answer.stop();
    },
  };
}

/** The environment for `loadServiceConfig` of a projection run in the test's process. */
export function inProcessEnvironment(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...process.env, PORT: '0' };
  for (const [name, value] of Object.entries(env)) {
    if (name === 'PORT') continue;
    if (value === undefined) delete merged[name];
    else merged[name] = value;
  }
  return merged;
}

export interface PlayedFamily {
  familyId: string;
  questionIds: string[];
  /** Whether everyone answered every question. */
  complete: boolean;
}

/**
 * A family lives `days` days through the answer service: a parent creates it, children
 * join, each day's QuestionDue opens a question (as the scheduler's would), and the first
 * `answering` members answer it (all of them by default).
 */
export async function playFamily(
  stack: ReplayTestStack,
  { children = 2, days = 1, answering }: { children?: number; days?: number; answering?: number } = {},
): Promise<PlayedFamily> {
  const call = internalApi(stack.answerUrl, stack.parts.internalApiToken);
  const answer = answerThrough(call);
  const uids = Array.from({ length: children + 1 }, () => `uid-${randomUUID()}`);
  const [parent = '', ...kids] = uids;
  const { familyId, inviteCode } = await foundFamily(call, parent);
  for (const kid of kids) {
    const joined = await call(kid, 'POST', '/families/join', {
      inviteCode,
      member: { role: 'child', displayName: 'Kid' },
    });
    assert.equal(joined.status, 201, JSON.stringify(joined.body));
  }
  const questionIds: string[] = [];
  for (let day = 1; day <= days; day++) {
    const localDate = `2026-12-${String(day).padStart(2, '0')}`;
    await publishQuestionDue(stack.topic, familyId, localDate);
    const { questionId } = await questionOpened(call, parent, familyId, localDate, { timeoutMs: 30_000 });
    questionIds.push(questionId);
    for (const uid of uids.slice(0, answering ?? uids.length)) {
      const answered = await answer(uid, { familyId, questionId, text: `day ${day}` });
      assert.equal(answered.status, 201, JSON.stringify(answered.body));
    }
  }
  return { familyId, questionIds, complete: (answering ?? uids.length) >= uids.length };
}
