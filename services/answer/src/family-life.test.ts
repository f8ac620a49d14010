import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { eventually, type InternalCall, planAsSent, statementsOf } from '@haru/testing';
import { sql } from 'kysely';
import { startTestAnswerService, type TestAnswerService } from '../test/support/start-test-answer-service.ts';
import { executeCommand } from './event-store/event-store.ts';
import { familyFold, familyStream } from './families/family.repository.ts';
import { decideFamily, evolveFamily, type FamilyEvent } from './families/family.ts';
import { archivePage } from './questions/archive-page.ts';
import { bundledCatalogue } from './questions/catalogue.repository.ts';
import { questionIdFor } from './questions/open-question-on-due.ts';

// The rest of a family's life through the answer service's internal API, on the real
// database and queues: invites and the roles they grant, leaving and removing, a member's
// own settings, and the archive of every question.

let service: TestAnswerService['service'];
let call: InternalCall;
let answer: TestAnswerService['answer'];
let newFamily: TestAnswerService['newFamily'];
let queues: TestAnswerService['queues'];

before(async () => {
  ({ service, call, answer, newFamily, queues } = await startTestAnswerService());
});
after(() => service.stop());

const uid = (who: string) => `uid-${who}-${randomUUID()}`;

const join = async (who: string, inviteCode: string, role?: 'parent' | 'child') => {
  const joined = await call(who, 'POST', '/families/join', {
    inviteCode,
    member: { displayName: who.slice(4, 10), ...(role ? { role } : {}) },
  });
  return joined as { status: number; body: { familyId: string; memberId: string; detail?: string } };
};

const eventCount = async () =>
  Number(
    (await sql<{ count: string }>`select count(*) from answer.events`.execute(service.database.db)).rows[0]?.count,
  );

/** Opens a question a day (through the family's own decider, in one append), oldest first. */
async function openDays(familyId: string, dates: readonly string[], opensAt: (date: string) => Date) {
  await executeCommand(service.database, {
    streamId: familyStream(familyId),
    fold: familyFold,
    familyId,
    context: { occurredAt: new Date(), correlationId: randomUUID(), causationId: null },
    decide: (family) => {
      const opened: FamilyEvent[] = [];
      let state = family;
      for (const localDate of dates) {
        const events = decideFamily(
          {
            type: 'OpenQuestion',
            data: {
              localDate,
              questionId: questionIdFor(familyId, localDate),
              opensAt: opensAt(localDate),
              timedBy: opensAt(localDate).toISOString(),
              catalogue: bundledCatalogue(),
            },
            metadata: { now: new Date(Math.min(Date.now(), opensAt(localDate).getTime())) },
          },
          state,
        );
        state = events.reduce(evolveFamily, state);
        opened.push(...events);
      }
      return opened;
    },
  });
}

const daysBefore = (end: string, count: number): string[] =>
  Array.from({ length: count }, (_, index) =>
    new Date(Date.parse(end) - (count - index) * 86_400_000).toISOString().slice(0, 10),
  );

describe('invites', () => {
  test('when a parent creates a parent invite, then joining with it grants parent, and the code it replaced is 404', async () => {
    const dad = uid('dad');
    const { familyId } = await newFamily(dad);
    const first = await call(dad, 'POST', `/families/${familyId}/invites`, { role: 'parent' });
    const second = await call(dad, 'POST', `/families/${familyId}/invites`, { role: 'parent' });
    assert.equal(second.status, 201);
    assert.equal(second.body.role, 'parent');
    assert.match(second.body.inviteCode, /^[A-Z2-9]{8}$/);
    const lifetime = Date.parse(second.body.expiresAt) - Date.now();
    assert.ok(lifetime > 7 * 24 * 3_600_000 - 60_000 && lifetime <= 7 * 24 * 3_600_000, `expires in ${lifetime} ms`);

    assert.equal((await join(uid('late'), first.body.inviteCode)).status, 404);
    const mom = uid('mom');
    const joined = await join(mom, second.body.inviteCode);
    assert.equal(joined.status, 201);
    const family = await call(mom, 'GET', `/families/${familyId}`);
    assert.equal(family.body.me.role, 'parent');
  });

  test('when the creation code is used, then the joiner is a child; a stated role that disagrees is 409 and writes nothing', async () => {
    const dad = uid('dad');
    const { familyId, inviteCode } = await newFamily(dad);
    const before = await eventCount();
    const refused = await join(uid('sneaky'), inviteCode, 'parent');
    assert.equal(refused.status, 409);
    assert.match(refused.body.detail ?? '', /for a child/);
    assert.equal(await eventCount(), before);

    const kid = uid('kid');
    assert.equal((await join(kid, inviteCode)).status, 201);
    assert.equal((await call(kid, 'GET', `/families/${familyId}`)).body.me.role, 'child');
    assert.equal((await join(uid('kid2'), inviteCode, 'child')).status, 201);
  });

  test('when a child or an outsider asks for an invite, then 403 and 404', async () => {
    const dad = uid('dad');
    const { familyId, inviteCode } = await newFamily(dad);
    const kid = uid('kid');
    await join(kid, inviteCode);
    assert.equal((await call(kid, 'POST', `/families/${familyId}/invites`, { role: 'child' })).status, 403);
    assert.equal((await call(uid('stranger'), 'POST', `/families/${familyId}/invites`, { role: 'child' })).status, 404);
    assert.equal((await call(dad, 'POST', `/families/${familyId}/invites`, { role: 'boss' })).status, 400);
  });
});

describe('leaving and removing', () => {
  test('when a child leaves, then 204, MemberLeft is published, and the family is 404 to them', async () => {
    const dad = uid('dad');
    const { familyId, inviteCode } = await newFamily(dad);
    const kid = uid('kid');
    const { memberId } = (await join(kid, inviteCode)).body;

    assert.equal((await call(kid, 'DELETE', `/families/${familyId}/members/me`)).status, 204);
    assert.equal((await call(kid, 'GET', `/families/${familyId}`)).status, 404);
    assert.equal((await call(kid, 'DELETE', `/families/${familyId}/members/me`)).status, 404);
    const family = await call(dad, 'GET', `/families/${familyId}`);
    assert.ok(!family.body.members.some((member: { memberId: string }) => member.memberId === memberId));
    await eventually(async () => {
      await queues.projection.drain();
      return queues.projection.events('MemberLeft', familyId).length === 1;
    });
    assert.deepEqual(queues.projection.events('MemberLeft', familyId)[0]?.data, { memberId });
  });

  test('when the last parent leaves while a child remains, then 409 says why, and nothing is written', async () => {
    const dad = uid('dad');
    const { familyId, inviteCode } = await newFamily(dad);
    await join(uid('kid'), inviteCode);
    const before = await eventCount();
    const refused = await call(dad, 'DELETE', `/families/${familyId}/members/me`);
    assert.equal(refused.status, 409);
    assert.match(refused.body.detail, /last parent cannot leave while children remain/);
    assert.equal(await eventCount(), before);
  });

  test('when a parent removes a child, then 204 (again: 204); a child removing anyone is 403; an id that names no member is 404', async () => {
    const dad = uid('dad');
    const { familyId, inviteCode, memberId: dadId } = await newFamily(dad);
    const [kid, sister] = [uid('kid'), uid('sister')];
    const { memberId: kidId } = (await join(kid, inviteCode)).body;
    await join(sister, inviteCode);

    assert.equal((await call(sister, 'DELETE', `/families/${familyId}/members/${dadId}`)).status, 403);
    assert.equal((await call(dad, 'DELETE', `/families/${familyId}/members/${kidId}`)).status, 204);
    assert.equal((await call(dad, 'DELETE', `/families/${familyId}/members/${kidId}`)).status, 204);
    assert.equal((await call(dad, 'DELETE', `/families/${familyId}/members/${randomUUID()}`)).status, 404);
    const notAnId = `/families/${familyId}/members/not-an-id`;
    assert.equal((await call(dad, 'DELETE', notAnId)).status, 404);
    assert.equal((await call(dad, 'PATCH', notAnId, { role: 'parent' })).status, 404);
    assert.equal((await call(dad, 'PATCH', `/families/${familyId}/members/%00`, { role: 'parent' })).status, 404);
    assert.equal((await call(kid, 'GET', `/families/${familyId}`)).status, 404);
  });

  test('when a member who answered leaves, then their answer stays in the others’ archive', async () => {
    const dad = uid('dad');
    const { familyId, inviteCode, memberId: dadId } = await newFamily(dad);
    const kid = uid('kid');
    const { memberId: kidId } = (await join(kid, inviteCode)).body;
    const [localDate] = daysBefore(new Date().toISOString().slice(0, 10), 1);
    await openDays(familyId, [localDate as string], () => new Date(Date.now() - 60_000));
    const questionId = questionIdFor(familyId, localDate as string);
    assert.equal((await answer(kid, { familyId, questionId, text: 'Soccer' })).status, 201);
    assert.equal((await answer(dad, { familyId, questionId, text: 'Work' })).status, 201);

    assert.equal((await call(kid, 'DELETE', `/families/${familyId}/members/me`)).status, 204);
    const archive = await call(dad, 'GET', `/families/${familyId}/questions`);
    assert.deepEqual(archive.body.items[0].answeredBy, [kidId, dadId]);
    assert.deepEqual(
      archive.body.items[0].answers.map((item: { text: string }) => item.text),
      ['Soccer', 'Work'],
    );
  });
});

describe('preferences', () => {
  test('when a member changes their settings, then 200 with them, the family shows them, and the notifier hears of locale and mutes only', async () => {
    const dad = uid('dad');
    const { familyId, inviteCode } = await newFamily(dad);
    const kid = uid('kid');
    const { memberId } = (await join(kid, inviteCode)).body;

    const changed = await call(kid, 'PATCH', `/families/${familyId}/members/me`, {
      displayName: 'Minnie',
      locale: 'en',
      mutedKinds: ['reminder'],
    });
    assert.equal(changed.status, 200);
    const settings = { memberId, role: 'child', displayName: 'Minnie', locale: 'en', mutedKinds: ['reminder'] };
    assert.deepEqual(changed.body, settings);
    const family = await call(kid, 'GET', `/families/${familyId}`);
    assert.deepEqual(family.body.me, settings);
    assert.ok(family.body.members.some((member: { displayName: string }) => member.displayName === 'Minnie'));

    const again = await call(kid, 'PATCH', `/families/${familyId}/members/me`, { mutedKinds: ['reminder'] });
    assert.deepEqual(again.body, settings);
    assert.equal(
      (await call(kid, 'PATCH', `/families/${familyId}/members/me`, { mutedKinds: ['question'] })).status,
      400,
    );
    assert.equal((await call(uid('stranger'), 'PATCH', `/families/${familyId}/members/me`, {})).status, 404);

    await eventually(async () => {
      await queues.notifier.drain();
      return queues.notifier.events('MemberPreferencesChanged', familyId).length > 0;
    });
    await queues.notifier.drain(1);
    const published = queues.notifier.events('MemberPreferencesChanged', familyId);
    assert.equal(published.length, 1, 'the repeat changed nothing, so published nothing');
    assert.deepEqual(published[0]?.data, { memberId, locale: 'en', mutedKinds: ['reminder'] });
  });
});

describe('the archive', () => {
  test('when a family has three years of questions, then its pages walk them all, newest first, each once, with answers only where the caller answered', async () => {
    const dad = uid('dad');
    const { familyId, inviteCode } = await newFamily(dad);
    const kid = uid('kid');
    await join(kid, inviteCode);
    const today = new Date().toISOString().slice(0, 10);
    const dates = daysBefore(today, 3 * 365 + 1);
    await openDays(familyId, dates, (date) => new Date(Date.parse(date) - 12 * 3_600_000));
    // Statistics of a table this family fills, under which the planner would rather read its
    // whole history and sort it than walk the index (the archive's reads are planned without
    // them); analyzed here, not whenever autovacuum comes by.
    await sql`analyze events`.execute(service.database.db);
    // The dad answers today's, which is the newest (and open) one.
    const newest = dates.at(-1) as string;
    const newestId = questionIdFor(familyId, newest);
    await answer(dad, { familyId, questionId: newestId, text: 'Dinner' });

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=50&before=${cursor}` : '?limit=50';
      const page = await call(kid, 'GET', `/families/${familyId}/questions${query}`);
      assert.equal(page.status, 200, JSON.stringify(page.body));
      for (const item of page.body.items) {
        seen.push(item.localDate);
        // The kid answered nothing: no answers, but who answered is shown.
        assert.deepEqual(item.answers, []);
      }
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor);

    assert.deepEqual(seen, [...dates].reverse());
    assert.equal(pages, Math.ceil(dates.length / 50));
    // A page costs its own length, not the history's: a page from the middle of 1,097
    // questions reads about its own 51 events, as PostgreSQL counts them.
    const middle = dates[Math.floor(dates.length / 2)];
    // The page's statements as archivePage sends them, in one transaction; its read run and counted.
    const plan = await planAsSent(
      service.database,
      await statementsOf(service.database, (db) =>
        archivePage(db, familyId, { before: middle, limit: 50, now: new Date() }),
      ),
      (statement) => statement.sql.includes('distinct on'),
    );
    // Each scan of the events, run: the rows it gave, times how often it ran.
    const read = plan
      .filter((node) => node['Relation Name'] === 'events')
      .reduce((sum, node) => sum + (node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 1), 0);
    const shape = plan.map((node) => node['Index Name'] ?? node['Node Type']).join(' > ');
    assert.ok(read <= 3 * 51, `a page of 50 read ${read} of the family's events (${shape})`);

    const dadsFirstPage = await call(dad, 'GET', `/families/${familyId}/questions?limit=1`);
    assert.equal(dadsFirstPage.body.items[0].questionId, newestId);
    assert.deepEqual(
      dadsFirstPage.body.items[0].answers.map((item: { text: string }) => item.text),
      ['Dinner'],
    );
    assert.equal(dadsFirstPage.body.nextCursor, newest, 'the cursor is the oldest date on the page');
  });

  test('when a question opens between two pages, or is prepared for later, then the pages neither shift nor show it early', async () => {
    const dad = uid('dad');
    const { familyId } = await newFamily(dad);
    const today = new Date().toISOString().slice(0, 10);
    const dates = daysBefore(today, 4);
    await openDays(familyId, dates, () => new Date(Date.now() - 60_000));

    const first = await call(dad, 'GET', `/families/${familyId}/questions?limit=2`);
    assert.deepEqual(
      first.body.items.map((item: { localDate: string }) => item.localDate),
      [dates[3], dates[2]],
    );
    // Today's question, prepared ahead of its instant: not in the archive until then.
    await openDays(familyId, [today], () => new Date(Date.now() + 10 * 60_000));
    const second = await call(dad, 'GET', `/families/${familyId}/questions?limit=2&before=${first.body.nextCursor}`);
    assert.deepEqual(
      second.body.items.map((item: { localDate: string }) => item.localDate),
      [dates[1], dates[0]],
    );
    assert.equal(second.body.nextCursor, null);
    const fresh = await call(dad, 'GET', `/families/${familyId}/questions`);
    assert.equal(fresh.body.items[0].localDate, dates[3]);
    assert.equal(fresh.body.items.length, 4);
  });

  test('when the query is malformed or the caller is not a member, then 400 and 404', async () => {
    const dad = uid('dad');
    const { familyId } = await newFamily(dad);
    assert.equal((await call(dad, 'GET', `/families/${familyId}/questions?limit=51`)).status, 400);
    assert.equal((await call(dad, 'GET', `/families/${familyId}/questions?before=yesterday`)).status, 400);
    assert.deepEqual((await call(dad, 'GET', `/families/${familyId}/questions`)).body, { items: [], nextCursor: null });
    assert.equal((await call(uid('stranger'), 'GET', `/families/${familyId}/questions`)).status, 404);
  });
});
