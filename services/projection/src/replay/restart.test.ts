import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createDatabase, type Database } from '@haru/db';
import { launchService, type ServiceProcess, waitUntilReady } from '@haru/dev-stack';
import { createLogger } from '@haru/observability';
import { eventually, readQueue } from '@haru/testing';
import { sql } from 'kysely';
import {
  type PlayedFamily,
  playFamily,
  type ReplayTestStack,
  startReplayTestStack,
} from '../../test/support/replay-test-stack.ts';
import { type ProjectionDatabase, schema } from '../database.ts';
import { verify } from './verify.ts';

let stack: ReplayTestStack;
let database: Database<ProjectionDatabase>;
let projection: ServiceProcess | undefined;

before(async () => {
  stack = await startReplayTestStack();
  database = createDatabase<ProjectionDatabase>({ url: stack.parts.databaseUrl, schema, poolSize: 2 });
});
after(async () => {
  await projection?.stop();
  await database?.close();
  await stack?.stop();
});

const startProjection = async () => {
  projection = launchService('projection', stack.projectionEnv, { output: () => {} });
  await waitUntilReady(projection, { timeoutMs: 60_000 });
  return projection;
};

const handled = async () =>
  Number(
    (await database.db.selectFrom('inbox').select(sql<string>`count(*)`.as('count')).executeTakeFirstOrThrow()).count,
  );

test('when the projection is killed mid-stream and restarted, then its model matches a replay and each completion is announced once', async () => {
  const first = await startProjection();
  const playing = Promise.all(
    Array.from({ length: 12 }, (_, index) =>
      playFamily(stack, { days: index % 3 === 0 ? 2 : 1, ...(index % 4 === 3 ? { answering: 1 } : {}) }),
    ),
  );
  // Killed (SIGKILL: no shutdown, handlers cut off mid-transaction) once it is under way.
  await eventually(async () => (await handled()) >= 20, { timeoutMs: 60_000 });
  await first.kill();
  const handledWhenKilled = await handled();
  const families: PlayedFamily[] = await playing;

  await startProjection();
  const logger = createLogger('projection-test', 'warn');
  // Messages the killed process had received come back after the visibility timeout (30 s).
  const { differences } = await verify({ database, feed: stack.feed, logger, settleMs: 120_000 });
  assert.deepEqual(differences, []);
  assert.ok((await handled()) > handledWhenKilled, 'events were still to come when it was killed');

  const expected = families
    .filter((family) => family.complete)
    .flatMap((family) => family.questionIds.map((questionId) => `${family.familyId}/${questionId}`))
    .sort();
  const schedulerQueue = readQueue(stack.clients.sqs, stack.topology.queues.scheduler.queueUrl);
  const announced = () =>
    families
      .flatMap((family) => schedulerQueue.events('FamilyQuestionCompleted', family.familyId))
      .map((event) => `${event.familyId}/${event.data.questionId}`)
      .sort();
  await eventually(
    async () => {
      await schedulerQueue.drain();
      return new Set(announced()).size === expected.length;
    },
    { timeoutMs: 30_000 },
  );
  await schedulerQueue.drain(1);
  assert.deepEqual(announced(), expected);
});
