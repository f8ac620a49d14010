import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createEvent, type DomainEvent, type EventContext } from '@haru/contracts';
import { createDatabase, type Database, migrateToLatest } from '@haru/db';
import { createTestDatabase } from '@haru/testing';
import fc from 'fast-check';
import { sql } from 'kysely';
import { modelTables, type ProjectionDatabase, schema } from '../database.ts';
import { migrations } from '../migrations/index.ts';
import { applyToModel } from './apply-to-model.ts';
import { completedAt } from './completion.ts';
import { applyToCompletion } from './completion-handler.ts';

// The projection's central promise: whatever order a family's events arrive in, and
// however often each arrives, the read model ends the same and each completed question
// is announced exactly once. Histories are generated the way the answer service could
// write them (members join and leave before and after questions open, answers come from
// active members for the open question); deliveries are any permutation of them with any
// of them repeated, handled by concurrent consumers.

const runs = 200;
const replaySchema = 'property_replay';
let database: Database<ProjectionDatabase>;

before(async () => {
  database = createDatabase<ProjectionDatabase>({ url: await createTestDatabase(), schema, poolSize: 6 });
  await migrateToLatest(database.db, schema, migrations);
  // A copy of the model for the replay path (as rebuild and verify build one).
  await sql`create schema ${sql.id(replaySchema)}`.execute(database.db);
  for (const table of Object.keys(modelTables)) {
    await sql`create table ${sql.id(replaySchema, table)} (like ${sql.id(schema, table)} including all)`.execute(
      database.db,
    );
  }
});
after(() => database?.close());

type Step = { kind: 'join' } | { kind: 'leave'; who: number } | { kind: 'open' } | { kind: 'answer'; who: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: 'join' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('leave' as const), who: fc.nat(7) }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'open' as const }) },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('answer' as const), who: fc.nat(7) }) },
);

const minute = (n: number) => new Date(Date.UTC(2026, 10, 25, 9, n));

/** Plays the steps by the answer service's rules and returns the events it would store. */
function history({ founders, steps }: { founders: number; steps: Step[] }): DomainEvent[] {
  const familyId = randomUUID();
  const at = (n: number): EventContext => ({ occurredAt: minute(n), correlationId: 'property', causationId: null });
  const members: { memberId: string; active: boolean }[] = [];
  const questions: { questionId: string; answered: Set<string> }[] = [];
  const events: DomainEvent[] = [
    createEvent(
      'FamilyCreated',
      familyId,
      { name: 'Family', timezone: 'Asia/Seoul', pushTime: '20:00', quietHours: null, reminderOffsetMinutes: 180 },
      at(0),
    ),
  ];
  const join = (n: number) => {
    const memberId = randomUUID();
    members.push({ memberId, active: true });
    events.push(
      createEvent(
        'MemberJoined',
        familyId,
        { memberId, uid: memberId, role: 'parent', displayName: 'M', locale: 'en' },
        at(n),
      ),
    );
  };
  for (let index = 0; index < founders; index++) join(0);
  for (const [index, current] of steps.entries()) {
    const n = index + 1;
    const active = members.filter((member) => member.active);
    switch (current.kind) {
      case 'join':
        join(n);
        continue;
      case 'leave': {
        const leaving = active[current.who % Math.max(active.length, 1)];
        if (!leaving) continue;
        leaving.active = false;
        events.push(createEvent('MemberLeft', familyId, { memberId: leaving.memberId }, at(n)));
        continue;
      }
      case 'open': {
        const questionId = randomUUID();
        questions.push({ questionId, answered: new Set() });
        events.push(
          createEvent(
            'QuestionOpened',
            familyId,
            {
              questionId,
              localDate: minute(n).toISOString().slice(0, 10),
              text: { ko: '질문', en: 'Question' },
              openedAt: minute(n).toISOString(),
              requiredMemberIds: active.map((member) => member.memberId),
            },
            at(n),
          ),
        );
        continue;
      }
      case 'answer': {
        const question = questions.at(-1);
        const candidates = active.filter((member) => !question?.answered.has(member.memberId));
        const answering = candidates[current.who % Math.max(candidates.length, 1)];
        if (!question || !answering) continue;
        question.answered.add(answering.memberId);
        events.push(
          createEvent(
            'AnswerSubmitted',
            familyId,
            { questionId: question.questionId, memberId: answering.memberId, answeredAt: minute(n).toISOString() },
            at(n),
          ),
        );
        continue;
      }
    }
  }
  return events;
}

/** The read model the events must produce, worked out directly from the whole history. */
function expectedModel(events: readonly DomainEvent[]) {
  const answers = events.flatMap((event) => (event.type === 'AnswerSubmitted' ? [event.data] : []));
  const leftAt = new Map(
    events.flatMap((event) =>
      event.type === 'MemberLeft' ? [[event.data.memberId, new Date(event.occurredAt)] as const] : [],
    ),
  );
  const questions = events.flatMap((event) => {
    if (event.type !== 'QuestionOpened') return [];
    const { questionId, localDate, requiredMemberIds, openedAt } = event.data;
    const completion = completedAt({
      requiredMemberIds,
      answeredAt: new Map(
        answers
          .filter((answer) => answer.questionId === questionId)
          .map((answer) => [answer.memberId, new Date(answer.answeredAt)]),
      ),
      leftAt,
    });
    return [
      {
        questionId,
        localDate,
        requiredMemberIds,
        openedAt: new Date(openedAt).toISOString(),
        completedAt: completion?.toISOString() ?? null,
      },
    ];
  });
  return {
    questions: sortBy(questions, (question) => question.questionId),
    answers: sortBy(
      answers.map((answer) => ({
        questionId: answer.questionId,
        memberId: answer.memberId,
        answeredAt: new Date(answer.answeredAt).toISOString(),
      })),
      (answer) => `${answer.questionId}/${answer.memberId}`,
    ),
    departures: sortBy(
      [...leftAt].map(([memberId, at]) => ({ memberId, leftAt: at.toISOString() })),
      (departure) => departure.memberId,
    ),
  };
}

/** The family's part of the read model as stored in `modelSchema`. */
async function storedModel(modelSchema: string, familyId: string) {
  const db = database.db.withSchema(modelSchema);
  const [questions, answers, departures] = await Promise.all([
    db.selectFrom('question_progress').selectAll().where('family_id', '=', familyId).orderBy('question_id').execute(),
    db.selectFrom('answers').selectAll().where('family_id', '=', familyId).execute(),
    db.selectFrom('departed_members').selectAll().where('family_id', '=', familyId).execute(),
  ]);
  return {
    questions: questions.map((row) => ({
      questionId: row.question_id,
      localDate: row.local_date,
      requiredMemberIds: row.required_member_ids,
      openedAt: row.opened_at?.toISOString(),
      completedAt: row.completed_at?.toISOString() ?? null,
    })),
    answers: sortBy(
      answers.map((row) => ({
        questionId: row.question_id,
        memberId: row.member_id,
        answeredAt: row.answered_at.toISOString(),
      })),
      (answer) => `${answer.questionId}/${answer.memberId}`,
    ),
    departures: sortBy(
      departures.map((row) => ({ memberId: row.member_id, leftAt: row.left_at.toISOString() })),
      (departure) => departure.memberId,
    ),
  };
}

const announcements = async (familyId: string) => {
  const rows = await database.db
    .selectFrom('outbox')
    .select('envelope')
    .where('type', '=', 'FamilyQuestionCompleted')
    .where(sql<boolean>`envelope->>'familyId' = ${familyId}`)
    .execute();
  return rows.map((row) => (row.envelope as DomainEvent & { type: 'FamilyQuestionCompleted' }).data.questionId);
};

/** Hands the deliveries to `consumers` concurrent consumers, in order, as a queue would. */
async function deliver(deliveries: readonly DomainEvent[], consumers: number) {
  const queue = [...deliveries];
  await Promise.all(
    Array.from({ length: consumers }, async () => {
      for (let event = queue.shift(); event; event = queue.shift()) {
        await applyToCompletion(database.db, event, new Date());
      }
    }),
  );
}

const sortBy = <Item>(items: Item[], keyOf: (item: Item) => string) =>
  items.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));

/**
 * A history's plan and a delivery of it: a permutation of its events with some repeated.
 * The events themselves (with fresh ids) are made in each run, so that a run repeated
 * while shrinking starts from a new family rather than from an inbox that has seen it all.
 */
const scenario = fc
  .record({
    founders: fc.integer({ min: 1, max: 4 }),
    steps: fc.array(step, { minLength: 4, maxLength: 24, size: 'max' }),
  })
  .chain((plan) => {
    const count = history(plan).length;
    return fc.record({
      plan: fc.constant(plan),
      order: fc.array(fc.nat(count - 1), { maxLength: 6 }).chain((repeated) =>
        fc.shuffledSubarray([...Array(count).keys(), ...repeated], {
          minLength: count + repeated.length,
          maxLength: count + repeated.length,
        }),
      ),
      consumers: fc.integer({ min: 1, max: 3 }),
      pages: fc.integer({ min: 1, max: 3 }),
    });
  });

describe('completion read model, by property', () => {
  test(`when ${runs} generated histories arrive in any order with repeats, then each converges and announces once`, async () => {
    const stats = { events: 0, deliveries: 0, completed: 0 };
    await fc.assert(
      fc.asyncProperty(scenario, async ({ plan, order, consumers, pages }) => {
        const events = history(plan);
        const familyId = events[0]?.familyId ?? '';
        const deliveries = order.map((index) => events[index] as DomainEvent);
        await deliver(deliveries, consumers);

        // The replay path: the same deliveries folded in pages, as rebuild and verify do.
        const pageSize = Math.ceil(deliveries.length / pages);
        for (let start = 0; start < deliveries.length; start += pageSize) {
          await applyToModel(database.db.withSchema(replaySchema), deliveries.slice(start, start + pageSize));
        }

        const expected = expectedModel(events);
        assert.deepEqual(await storedModel(schema, familyId), expected);
        assert.deepEqual(await storedModel(replaySchema, familyId), expected);
        const completed = expected.questions.filter((question) => question.completedAt !== null);
        assert.deepEqual(
          (await announcements(familyId)).sort(),
          completed.map((question) => question.questionId).sort(),
          'one announcement per completed question, none for the others',
        );
        stats.events += events.length;
        stats.deliveries += deliveries.length;
        stats.completed += completed.length;
      }),
      { numRuns: runs },
    );
    // Generated histories that complete nothing would prove little.
    assert.ok(stats.completed > runs / 2, JSON.stringify(stats));
    console.log(`completion property: ${runs} histories, ${JSON.stringify(stats)}`);
  });
});
