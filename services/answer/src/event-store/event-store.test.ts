import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createDatabase, type Database, migrateToLatest } from '@haru/db';
import { HaruError } from '@haru/errors';
import { createTestDatabase } from '@haru/testing';
import { sql } from 'kysely';
import { type AnswerDatabase, schema } from '../database.ts';
import { migrations } from '../migrations/index.ts';
import { commandBatches } from './command-batches.ts';
import {
  executeCommand,
  executeCommands,
  type Fold,
  readStream,
  retryOnConflict,
  type StoredEvent,
  type StreamCommand,
  StreamVersionConflict,
} from './event-store.ts';

// Group commit: commands that run together are read once, decided in turn and appended in
// one statement, and still behave as if each had run alone.

let database: Database<AnswerDatabase>;
/** The same database through another handle: another replica of the answer service. */
let otherReplica: Database<AnswerDatabase>;

before(async () => {
  const url = await createTestDatabase();
  database = createDatabase<AnswerDatabase>({ url, schema, poolSize: 6 });
  otherReplica = createDatabase<AnswerDatabase>({ url, schema, poolSize: 2 });
  await migrateToLatest(database.db, schema, migrations);
});
after(async () => {
  await database?.close();
  await otherReplica?.close();
});

/** A counter's state: the counts it has appended, in order. */
const counts: Fold<number[]> = {
  initial: () => [],
  evolve: (state, event) => [...state, (event.data as { n: number }).n],
};

/** Appends the stream's next count; refuses past `limit`. Unpublished: it stays in the store. */
const count = (streamId: string, { limit = Number.POSITIVE_INFINITY } = {}): StreamCommand<number[], StoredEvent> => ({
  streamId,
  fold: counts,
  familyId: randomUUID(),
  context: { occurredAt: new Date(), correlationId: randomUUID(), causationId: null },
  decide: (state) => {
    if (state.length >= limit) throw new HaruError('conflict', `${streamId} has counted to ${limit}`);
    return [{ type: 'Counted', data: { n: state.length + 1 } }];
  },
});

const storedCounts = async (streamId: string) =>
  (
    await database.db
      .selectFrom('events')
      .select(['stream_version', 'data'])
      .where('stream_id', '=', streamId)
      .orderBy('stream_version')
      .execute()
  ).map((row) => ({ version: row.stream_version, n: (row.data as { n: number }).n }));

const transactionsOf = async (streams: string[]) => {
  const { rows } = await sql<{ transactions: string }>`
    select count(distinct transaction_id) as transactions from events where stream_id in (${sql.join(streams)})`.execute(
    database.db,
  );
  return Number(rows[0]?.transactions);
};

describe('event store: commands run together', () => {
  test('when commands run together, then each is decided after the ones before it, and a refusal fails alone', async () => {
    const [a, b, c] = [`count-${randomUUID()}`, `count-${randomUUID()}`, `count-${randomUUID()}`];
    const outcomes = await executeCommands(database, [count(a), count(b, { limit: 0 }), count(a), count(c)]);
    assert.deepEqual(
      outcomes.map((outcome) => outcome.status),
      ['fulfilled', 'rejected', 'fulfilled', 'fulfilled'],
    );
    const second = outcomes[2];
    assert.equal(second?.status === 'fulfilled' && second.value.state.length, 2, 'decided on the first one’s count');
    assert.deepEqual(await storedCounts(a), [
      { version: 1, n: 1 },
      { version: 2, n: 2 },
    ]);
    assert.deepEqual(await storedCounts(b), []);
    assert.deepEqual(await storedCounts(c), [{ version: 1, n: 1 }]);
    assert.equal(await transactionsOf([a, c]), 1, 'appended together, in one statement');
  });

  test('when other writers move a stream after a batch read it, then every command runs again alone and none is lost', async () => {
    const stream = `count-${randomUUID()}`;
    // Five batches read the stream at version 0 at about the same time; all but one append
    // on a stream that has moved since. (Each conflict means another command got in, so
    // none meets more than four, fewer than a command's tries: `retryOnConflict`.)
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => executeCommands(database, [count(stream)])));
    assert.deepEqual(
      outcomes.flat().map((outcome) => outcome.status),
      Array(5).fill('fulfilled'),
    );
    assert.deepEqual(
      await storedCounts(stream),
      Array.from({ length: 5 }, (_, index) => ({ version: index + 1, n: index + 1 })),
    );
  });

  test('when a dozen writers race on one stream, more than a write meets without waiting, then every one is written once', async () => {
    const stream = `count-${randomUUID()}`;
    // A family's members leaving, joining and erasing their accounts at once: up to eleven
    // conflicts each, which five attempts in a row, without a wait, did not get through.
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, () => executeCommand(database, count(stream))),
    );
    assert.deepEqual(
      outcomes.map((outcome) => (outcome.status === 'rejected' ? String(outcome.reason) : outcome.status)),
      Array(12).fill('fulfilled'),
    );
    assert.deepEqual(
      await storedCounts(stream),
      Array.from({ length: 12 }, (_, index) => ({ version: index + 1, n: index + 1 })),
    );
  });

  test('when a write keeps losing the race, then its caller is told to try again (503), not that haru failed', async () => {
    let tries = 0;
    const error = await retryOnConflict(async () => {
      tries += 1;
      throw new StreamVersionConflict('a stream moved past its expected version (count@1)');
    }).catch((rejected: unknown) => rejected);
    assert.ok(error instanceof HaruError, String(error));
    assert.equal(error.kind, 'unavailable');
    assert.ok(error.cause instanceof StreamVersionConflict);
    assert.equal(tries, 8);
  });

  test('when commands arrive together, then they are written together (when and how many: batches.test.ts)', async () => {
    const run = commandBatches<number[], StoredEvent>(database);
    const streams = Array.from({ length: 20 }, () => `count-${randomUUID()}`);
    const results = await Promise.all(streams.map((stream) => run(count(stream))));
    assert.ok(results.every((result) => result.appended.length === 1));
    assert.equal(await transactionsOf(streams), 1);
  });

  test('when a command waiting for a batch is refused, then only its caller hears of it', async () => {
    const run = commandBatches<number[], StoredEvent>(database);
    const [open, full] = [`count-${randomUUID()}`, `count-${randomUUID()}`];
    const outcomes = await Promise.allSettled([run(count(open)), run(count(full, { limit: 0 })), run(count(open))]);
    assert.deepEqual(
      outcomes.map((outcome) => outcome.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    const refused = outcomes[1];
    assert.ok(refused?.status === 'rejected' && refused.reason instanceof HaruError);
    assert.deepEqual(await storedCounts(open), [
      { version: 1, n: 1 },
      { version: 2, n: 2 },
    ]);
  });

  test('when another replica appends to a stream this one has read, then the next read and command build on it', async () => {
    const stream = `count-${randomUUID()}`;
    await executeCommand(database, count(stream));
    assert.equal((await readStream(database.db, stream, counts)).version, 1);
    await executeCommand(otherReplica, count(stream));
    await executeCommand(otherReplica, count(stream));
    const read = await readStream(database.db, stream, counts);
    assert.deepEqual(read.state, [1, 2, 3]);
    const { state } = await executeCommand(database, count(stream, { limit: 4 }));
    assert.equal(state.length, 4);
    await assert.rejects(executeCommand(database, count(stream, { limit: 4 })), /has counted to 4/);
  });

  test('when a command’s transaction rolls back after its append, then nothing of it is read back', async () => {
    const stream = `count-${randomUUID()}`;
    await executeCommand(database, count(stream));
    await assert.rejects(
      executeCommand(database, {
        ...count(stream),
        alsoInTransaction: async () => {
          throw new Error('the lookup failed');
        },
      }),
      /the lookup failed/,
    );
    assert.equal((await readStream(database.db, stream, counts)).version, 1);
    assert.deepEqual(await storedCounts(stream), [{ version: 1, n: 1 }]);
    const { state } = await executeCommand(database, count(stream));
    assert.equal(state.length, 2);
  });
});
