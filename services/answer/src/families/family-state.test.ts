import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createDatabase, type Database, migrateToLatest } from '@haru/db';
import { createTestDatabase } from '@haru/testing';
import { sql } from 'kysely';
import { type AnswerDatabase, schema } from '../database.ts';
import { readStreamEvents } from '../event-store/event-store.ts';
import { migrations } from '../migrations/index.ts';
import { bundledCatalogue } from '../questions/catalogue.repository.ts';
import { questionIdFor } from '../questions/open-question-on-due.ts';
import {
  dropFamilyState,
  familyFold,
  familyStream,
  foldFamily,
  loadFamily,
  rebuildFamilyState,
  runFamilyCommand,
} from './family.repository.ts';
import type { FamilyCommand, FamilyEvent, Schedule } from './family.ts';

// The family's state is kept beside its stream, and the stream stays the source of truth:
// every kept row equals the fold of its stream, and a row that is missing, behind or of
// another shape is rebuilt from the stream.

let database: Database<AnswerDatabase>;
const families: string[] = [];

before(async () => {
  database = createDatabase<AnswerDatabase>({ url: await createTestDatabase(), schema, poolSize: 4 });
  await migrateToLatest(database.db, schema, migrations);
  for (let index = 0; index < 3; index++) families.push(await liveAFamily(index * 20));
});
after(() => database?.close());

const day = 86_400_000;
const start = Date.parse('2026-01-01T11:00:00Z');
const schedule: Schedule = {
  timezone: 'Asia/Seoul',
  pushTime: '20:00',
  quietHours: { start: '22:00', end: '08:00' },
  reminderOffsetMinutes: 180,
};

/** A family's life by its commands: members come and go, settings change, questions open (one moved). */
async function liveAFamily(days: number): Promise<string> {
  const familyId = randomUUID();
  const [mom, dad, kid] = ['mom', 'dad', 'kid'].map((who) => ({
    uid: `uid-${who}-${randomUUID()}`,
    memberId: randomUUID(),
  }));
  if (!mom || !dad || !kid) throw new Error('three members');
  const run = (command: FamilyCommand) =>
    runFamilyCommand(database, familyId, command, {
      occurredAt: command.metadata.now,
      correlationId: randomUUID(),
      causationId: null,
    });
  const at = (ms: number) => ({ now: new Date(start + ms) });
  await run({
    type: 'CreateFamily',
    data: {
      familyId,
      name: 'Kims',
      inviteCode: `C${randomUUID().slice(0, 7)}`,
      inviteExpiresAt: new Date(start + 7 * day),
      schedule,
      founder: { ...mom, role: 'parent', displayName: 'Mom', locale: 'ko' },
    },
    metadata: at(0),
  });
  const parentCode = `P${randomUUID().slice(0, 7)}`;
  await run({
    type: 'CreateInvite',
    data: { uid: mom.uid, role: 'parent', code: parentCode, expiresAt: new Date(start + 7 * day) },
    metadata: at(1),
  });
  await run({
    type: 'JoinFamily',
    data: { ...dad, displayName: 'Dad', locale: 'en', inviteCode: parentCode },
    metadata: at(2),
  });
  const family = await loadFamily(database.db, familyId);
  const childCode = family.status === 'active' ? family.invites.child?.code : undefined;
  await run({
    type: 'JoinFamily',
    data: { ...kid, displayName: 'Jun', locale: 'ko', inviteCode: childCode ?? '' },
    metadata: at(3),
  });
  await run({ type: 'ChangePreferences', data: { uid: kid.uid, mutedKinds: ['reminder'] }, metadata: at(4) });
  for (let index = 0; index < days; index++) {
    const localDate = new Date(start + index * day).toISOString().slice(0, 10);
    const opensAt = new Date(start + index * day + 9 * 3_600_000);
    const announce = (instant: Date, announcedAt: number) =>
      run({
        type: 'OpenQuestion',
        data: {
          localDate,
          questionId: questionIdFor(familyId, localDate),
          opensAt: instant,
          timedBy: new Date(announcedAt).toISOString(),
          catalogue: bundledCatalogue(),
        },
        metadata: { now: new Date(opensAt.getTime() - 300_000) },
      });
    await announce(opensAt, opensAt.getTime() - 300_000);
    // A schedule change within the lead moves one question, held, to a later instant.
    if (index === 5) await announce(new Date(opensAt.getTime() + 3_600_000), opensAt.getTime() - 200_000);
    if (index === 7) await run({ type: 'ChangeSchedule', data: { uid: dad.uid, schedule }, metadata: at(index * day) });
  }
  await run({ type: 'LeaveFamily', data: { uid: kid.uid }, metadata: at(days * day) });
  return familyId;
}

const streamOf = async (familyId: string) =>
  (await readStreamEvents(database.db, familyStream(familyId))) as FamilyEvent[];

const rowOf = (familyId: string) =>
  database.db
    .selectFrom('stream_states')
    .selectAll()
    .where('stream_id', '=', familyStream(familyId))
    .executeTakeFirst();

/** What a state is once kept: JSON. */
const asKept = (value: unknown) => JSON.parse(JSON.stringify(value));

describe('the family state kept beside its stream', () => {
  test('when every kept state is folded again from its stream, then each equals its row, at the stream’s version', async () => {
    const rows = await database.db.selectFrom('stream_states').selectAll().execute();
    assert.equal(rows.length, families.length);
    for (const row of rows) {
      const events = (await readStreamEvents(database.db, row.stream_id)) as FamilyEvent[];
      assert.deepEqual(row.state, asKept(foldFamily(events)), row.stream_id);
      assert.equal(row.stream_version, events.length);
      assert.equal(row.shape, familyFold.kept?.shape);
    }
  });

  test('when a family has a long history, then its state keeps only its latest questions and a count', async () => {
    const [, , longest] = families as [string, string, string];
    const state = await loadFamily(database.db, longest);
    assert.ok(state.status === 'active');
    assert.equal(state.questionsOpened, 40);
    assert.deepEqual(
      state.recentQuestions.map((question) => question.localDate),
      ['2026-02-08', '2026-02-09'],
    );
  });

  test('when a row is of another shape, then the next read rebuilds it from the stream and writes it back', async () => {
    const [familyId] = families as [string];
    await sql`update stream_states set shape = 0, state = '{"status":"absent"}' where stream_id = ${familyStream(familyId)}`.execute(
      database.db,
    );
    const read = await loadFamily(database.db, familyId);
    assert.deepEqual(asKept(read), asKept(foldFamily(await streamOf(familyId))));
    const row = await rowOf(familyId);
    assert.equal(row?.shape, familyFold.kept?.shape);
    assert.deepEqual(row?.state, asKept(read));
  });

  test('when a row is behind its stream, then the read folds what came after it, and catches the row up', async () => {
    const [, familyId] = families as [string, string];
    const events = await streamOf(familyId);
    const earlier = foldFamily(events.slice(0, 4));
    await sql`update stream_states set stream_version = 4, state = ${JSON.stringify(earlier)}::jsonb
      where stream_id = ${familyStream(familyId)}`.execute(database.db);
    assert.deepEqual(asKept(await loadFamily(database.db, familyId)), asKept(foldFamily(events)));
    assert.equal((await rowOf(familyId))?.stream_version, events.length);
  });

  test('when a row is dropped or rebuilt on demand (as erasing personal data does), then it is the stream’s fold again', async () => {
    const [familyId] = families as [string];
    const expected = asKept(foldFamily(await streamOf(familyId)));
    await dropFamilyState(database.db, familyId);
    assert.equal(await rowOf(familyId), undefined);
    assert.deepEqual(asKept(await loadFamily(database.db, familyId)), expected);
    assert.deepEqual((await rowOf(familyId))?.state, expected);

    await sql`update stream_states set state = '{"status":"absent"}' where stream_id = ${familyStream(familyId)}`.execute(
      database.db,
    );
    assert.deepEqual(asKept(await rebuildFamilyState(database.db, familyId)), expected);
    assert.deepEqual((await rowOf(familyId))?.state, expected);
  });
});
