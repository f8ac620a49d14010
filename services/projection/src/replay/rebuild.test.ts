import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '@haru/observability';
import { eventually, type QueueReader, readQueue, verifyProjection } from '@haru/testing';
import { sql } from 'kysely';
import {
  inProcessEnvironment,
  type PlayedFamily,
  playFamily,
  type ReplayTestStack,
  startReplayTestStack,
} from '../../test/support/replay-test-stack.ts';
import { loadServiceConfig } from '../config.ts';
import { startService } from '../service.ts';
import { rebuild } from './rebuild.ts';
import { compareModels, verify } from './verify.ts';

let stack: ReplayTestStack;
let projection: Awaited<ReturnType<typeof startService>>;
let schedulerQueue: QueueReader;
const logger = createLogger('projection-test', 'warn');

before(async () => {
  stack = await startReplayTestStack();
  schedulerQueue = readQueue(stack.clients.sqs, stack.topology.queues.scheduler.queueUrl);
  projection = await startService(loadServiceConfig(inProcessEnvironment(stack.projectionEnv)), { waitTimeSeconds: 1 });
});
after(async () => {
  await projection?.stop();
  await stack?.stop();
});

const db = () => projection.database.db;

/** Completed questions in the live model. */
const completedQuestions = async () =>
  (
    await db()
      .selectFrom('question_progress')
      .select(['family_id', 'question_id'])
      .where('completed_at', 'is not', null)
      .execute()
  )
    .map((row) => `${row.family_id}/${row.question_id}`)
    .sort();

/** FamilyQuestionCompleted as published (on the scheduler's queue), one entry per message. */
const announcements = (families: readonly PlayedFamily[]) =>
  families
    .flatMap((family) => schedulerQueue.events('FamilyQuestionCompleted', family.familyId))
    .map((event) => `${event.familyId}/${event.data.questionId}`)
    .sort();

const modelIndexes = () =>
  sql<{ name: string }>`
    select indexname as name from pg_indexes
    where schemaname = 'projection' and tablename in ('question_progress', 'answers', 'departed_members')
    order by 1`
    .execute(db())
    .then((result) => result.rows.map((row) => row.name));

/** Waits until the live model has taken in every event committed so far. */
const settled = async () => {
  const { differences } = await verify({ database: projection.database, feed: stack.feed, logger, settleMs: 60_000 });
  assert.deepEqual(differences, []);
};

describe('rebuild and verify', () => {
  let earlier: PlayedFamily[] = [];

  test('when the live model has been tampered with, then verify finds each difference and the CLI exits 1', async () => {
    earlier = await Promise.all([
      playFamily(stack, { days: 2 }),
      playFamily(stack, { children: 1 }),
      playFamily(stack, { children: 3 }),
      playFamily(stack, { answering: 1 }),
    ]);
    await settled();
    const [complete, , , partial] = earlier;
    assert.ok(complete && partial);
    await db()
      .updateTable('question_progress')
      .set({ completed_at: null })
      .where('family_id', '=', complete.familyId)
      .where('question_id', '=', complete.questionIds[0] ?? '')
      .execute();
    await db().deleteFrom('answers').where('family_id', '=', partial.familyId).execute();

    const { differences } = await verify({ database: projection.database, feed: stack.feed, logger, settleMs: 300 });
    assert.deepEqual(
      differences.map(({ table, key, live, replay }) => [table, key.family_id, live === null, replay === null]).sort(),
      [
        ['answers', partial.familyId, true, false],
        ['question_progress', complete.familyId, false, false],
      ],
    );

    const { code, output } = await verifyProjection(
      { ...stack.projectionEnv, VERIFY_SETTLE_MS: '300', LOG_LEVEL: 'warn' },
      stack.answerUrl,
    );
    assert.equal(code, 1, output);
    assert.match(output, /differs from a replay of \d+ events in 2 rows/);
    assert.match(output, new RegExp(`question_progress family_id=${complete.familyId}`));
    assert.match(output, new RegExp(`answers family_id=${partial.familyId}`));
  });

  test('when the model is rebuilt while families keep answering, then it matches a replay and nothing is announced twice', async () => {
    const indexes = await modelIndexes();
    const startedAt = new Date();
    let rebuilding = true;
    const during: PlayedFamily[] = [];
    // Live traffic for as long as the rebuild runs (at least one family each).
    const traffic = Promise.all(
      [0, 1].map(async (worker) => {
        do during.push(await playFamily(stack, { answering: worker === 0 ? undefined : 2 }));
        while (rebuilding);
      }),
    );
    // Small pages make the replay long enough for live events to land in the middle of it.
    const result = await rebuild({ database: projection.database, feed: stack.feed, logger, pageSize: 3 }).finally(
      () => {
        rebuilding = false;
      },
    );
    const finishedAt = new Date();
    await traffic;
    assert.ok(result.replayed > 0);

    const appliedDuring = await db()
      .selectFrom('inbox')
      .select(sql<string>`count(*)`.as('count'))
      .where('handled_at', '>', startedAt)
      .where('handled_at', '<', finishedAt)
      .executeTakeFirstOrThrow();
    assert.ok(Number(appliedDuring.count) > 0, 'live consumption went on during the rebuild');

    await settled();
    // The tampered rows are repaired, and the swap kept the tables' shape.
    const [complete, , , partial] = earlier;
    const repaired = await db()
      .selectFrom('question_progress')
      .select('completed_at')
      .where('family_id', '=', complete?.familyId ?? '')
      .where('question_id', '=', complete?.questionIds[0] ?? '')
      .executeTakeFirstOrThrow();
    assert.notEqual(repaired.completed_at, null);
    const answers = await db()
      .selectFrom('answers')
      .selectAll()
      .where('family_id', '=', partial?.familyId ?? '')
      .execute();
    assert.equal(answers.length, 1);
    assert.deepEqual(await modelIndexes(), indexes);

    // Every completed question announced exactly once, across the rebuild.
    const families = [...earlier, ...during];
    const expected = families
      .filter((family) => family.complete)
      .flatMap((family) => family.questionIds.map((questionId) => `${family.familyId}/${questionId}`))
      .sort();
    assert.deepEqual(await completedQuestions(), expected);
    await eventually(
      async () => {
        await schedulerQueue.drain();
        return new Set(announcements(families)).size === expected.length;
      },
      { timeoutMs: 30_000 },
    );
    await schedulerQueue.drain(1);
    assert.deepEqual(announcements(families), expected);

    // No replay is left behind.
    assert.deepEqual(await db().selectFrom('replay_targets').selectAll().execute(), []);
    const schemas = await sql<{ name: string }>`
      select nspname as name from pg_namespace where nspname like 'projection\\_%'`.execute(db());
    assert.deepEqual(schemas.rows, []);
  });

  test('when the live handler applies events, then a registered replay copy receives them too', async () => {
    // compareModels is what verify reports from; here on a copy kept only by the handler.
    await db()
      .transaction()
      .execute(async (trx) => {
        await sql`create schema projection_shadow`.execute(trx);
        for (const table of ['question_progress', 'answers', 'departed_members']) {
          await sql`create table ${sql.id('projection_shadow', table)} (like ${sql.id('projection', table)} including all)`.execute(
            trx,
          );
          await sql`insert into ${sql.id('projection_shadow', table)} select * from ${sql.id('projection', table)}`.execute(
            trx,
          );
        }
        await trx
          .insertInto('replay_targets')
          .values({ schema_name: 'projection_shadow', purpose: 'verify' })
          .execute();
      });
    try {
      const family = await playFamily(stack);
      await eventually(async () => {
        const progress = await db()
          .selectFrom('question_progress')
          .select('completed_at')
          .where('family_id', '=', family.familyId)
          .executeTakeFirst();
        return progress?.completed_at;
      });
      assert.deepEqual(await compareModels(projection.database, 'projection_shadow'), []);
    } finally {
      await db().deleteFrom('replay_targets').where('schema_name', '=', 'projection_shadow').execute();
      await sql`drop schema projection_shadow cascade`.execute(db());
    }
  });
});
