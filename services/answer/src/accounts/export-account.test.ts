import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createEvent } from '@haru/contracts';
import { createDatabase, type Database, migrateToLatest } from '@haru/db';
import { createLogger, createMetrics } from '@haru/observability';
import { serviceApp } from '@haru/runtime';
import { createTestDatabase, internalApi, planWithoutSeqScans, statementsOf } from '@haru/testing';
import { Hono } from 'hono';
import type { AnswerDatabase } from '../database.ts';
import { schema } from '../database.ts';
import { familyRoutes } from '../families/family-routes.ts';
import { migrations } from '../migrations/index.ts';
import { answerRoutes } from '../questions/answer-routes.ts';
import { openQuestionOnDue, questionIdFor } from '../questions/open-question-on-due.ts';
import { questionRoutes } from '../questions/question-routes.ts';
import { accountRoutes } from './account-routes.ts';
import { exportAccount } from './export-account.ts';

// A member of a year: 365 questions opened by the answer service's own QuestionDue handler
// and answered through its internal API, as the gateway hands answers over; then the
// export's content, and its cost counted in statements and read from their plans.

const token = 'export-account-test-token-0123456789';
const logger = createLogger('answer', 'silent');
const days = 365;
const firstDay = Date.parse('2025-12-01T00:00:00Z');
const localDateOf = (day: number) => new Date(firstDay + day * 86_400_000).toISOString().slice(0, 10);
let database: Database<AnswerDatabase>;
let app: ReturnType<typeof serviceApp>;

before(async () => {
  database = createDatabase<AnswerDatabase>({ url: await createTestDatabase(), schema, poolSize: 4 });
  await migrateToLatest(database.db, schema, migrations);
  app = serviceApp({
    database,
    logger,
    metrics: createMetrics('answer'),
    internalApiToken: token,
    // As the service composes them (service.ts).
    routes: new Hono()
      .route('/answers', answerRoutes(database, logger))
      .route('/families', familyRoutes(database, { inviteLifetimeMs: 7 * 86_400_000 }))
      .route('/families', questionRoutes(database))
      .route('/accounts', accountRoutes(database)),
  });
});
after(() => database?.close());

/** Calls the internal API as the gateway does; fails the test unless the call succeeds. */
const call = async (uid: string | null, method: string, path: string, body?: unknown) => {
  const response = await internalApi((url, init) => app.request(url, init), token)(uid, method, path, body);
  assert.ok(response.status < 300, `${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
};

const newFamily = async (founder: string, name: string) =>
  (await call(founder, 'POST', '/families', {
    name,
    timezone: 'Asia/Seoul',
    pushTime: '20:00',
    member: { role: 'parent', displayName: 'Mum' },
  })) as { familyId: string; inviteCode: string; memberId: string };

const join = async (uid: string, inviteCode: string, displayName: string) =>
  (await call(uid, 'POST', '/families/join', { inviteCode, member: { role: 'child', displayName, locale: 'en' } })) as {
    familyId: string;
    memberId: string;
  };

/** The scheduler's QuestionDue for the day, handled as the service's consumer does. */
const openDay = (familyId: string, day: number) =>
  openQuestionOnDue(
    database,
    createEvent(
      'QuestionDue',
      familyId,
      { localDate: localDateOf(day), dueAt: new Date(firstDay + day * 86_400_000 + 11 * 3_600_000).toISOString() },
      { occurredAt: new Date(), correlationId: crypto.randomUUID(), causationId: null },
    ),
  );

const answer = async (uid: string, familyId: string, day: number, text: string) => {
  const { outcomes } = await call(null, 'POST', '/answers', {
    answers: [
      {
        familyId,
        questionId: questionIdFor(familyId, localDateOf(day)),
        uid,
        correlationId: crypto.randomUUID(),
        text,
      },
    ],
  });
  assert.ok(outcomes[0].status < 300, `answer of day ${day}: ${JSON.stringify(outcomes[0])}`);
};

const min = 'uid-export-min';
let home: { familyId: string; memberId: string };
let grandparents: { familyId: string; memberId: string };

describe('the export of a member with a year of answers', () => {
  before(async () => {
    const family = await newFamily('uid-export-mum', 'Yoons');
    home = await join(min, family.inviteCode, 'Min');
    const other = await newFamily('uid-export-grandma', 'Grandparents');
    grandparents = await join(min, other.inviteCode, 'Minnie');
    for (let day = 0; day < days; day++) {
      await openDay(home.familyId, day);
      await answer(min, home.familyId, day, `Min's answer of ${localDateOf(day)}`);
      // Others' answers in the same family are not the member's to export.
      if (day % 30 === 0) await answer('uid-export-mum', home.familyId, day, `Mum's answer of day ${day}`);
    }
    await database.pool.query('analyze');
  });

  it('when exported, then every answer comes with its question and date, under each membership', async () => {
    const exported = await call(min, 'GET', '/accounts/me/export');

    assert.deepEqual(
      exported.families.map((family: { familyId: string; name: string; membership: unknown }) => ({
        familyId: family.familyId,
        name: family.name,
        membership: family.membership,
      })),
      [
        {
          familyId: home.familyId,
          name: 'Yoons',
          membership: {
            memberId: home.memberId,
            role: 'child',
            displayName: 'Min',
            locale: 'en',
            mutedKinds: [],
            active: true,
          },
        },
        {
          familyId: grandparents.familyId,
          name: 'Grandparents',
          membership: {
            memberId: grandparents.memberId,
            role: 'child',
            displayName: 'Minnie',
            locale: 'en',
            mutedKinds: [],
            active: true,
          },
        },
      ],
    );
    const [yoons, other] = exported.families;
    assert.deepEqual(other.answers, []);
    assert.equal(yoons.answers.length, days);
    yoons.answers.forEach(
      (
        entry: { questionId: string; localDate: string; question: { ko: string; en: string }; text: string },
        day: number,
      ) => {
        assert.equal(entry.questionId, questionIdFor(home.familyId, localDateOf(day)));
        assert.equal(entry.localDate, localDateOf(day));
        assert.equal(entry.text, `Min's answer of ${localDateOf(day)}`);
        assert.ok(entry.question?.ko && entry.question.en, `the question of ${entry.localDate}`);
      },
    );
    // The questions are the ones the family was asked, as its archive shows them (in the member's language).
    const page = await call(min, 'GET', `/families/${home.familyId}/questions?limit=1`);
    assert.equal(page.items[0].localDate, localDateOf(days - 1));
    assert.equal(yoons.answers.at(-1).question.en, page.items[0].text, "in the member's language there");
  });

  it('when exported, then it takes as many statements for a year of answers as for one, each served by an index', async () => {
    const newcomer = 'uid-export-newcomer';
    const family = await newFamily('uid-export-dad', 'Kangs');
    await join(newcomer, family.inviteCode, 'Jun');
    await openDay(family.familyId, 0);
    await answer(newcomer, family.familyId, 0, 'a first answer');

    const ofYear = await statementsOf(database, (db) => exportAccount(db, min));
    const ofDay = await statementsOf(database, (db) => exportAccount(db, newcomer));

    assert.equal(ofYear.length, ofDay.length, 'statements do not grow with the answers');
    assert.ok(ofYear.length <= 6, `${ofYear.length} statements`);
    for (const statement of ofYear) {
      const plan = await planWithoutSeqScans(database, statement);
      assert.doesNotMatch(plan, /Seq Scan/, `no index serves:\n${statement.sql}\n${plan}`);
      assert.match(plan, /Index Scan|Index Only Scan|Bitmap Index Scan/, plan);
    }
  });
});
