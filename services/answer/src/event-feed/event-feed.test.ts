import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { DomainEvent } from '@haru/contracts';
import { serviceTokenHeader } from '@haru/http';
import { eventually, type InternalCall, publishQuestionDue, questionOpened } from '@haru/testing';
import { startTestAnswerService, type TestAnswerService } from '../../test/support/start-test-answer-service.ts';

type FeedEvent = DomainEvent & { position: number };
interface Page {
  events: FeedEvent[];
  nextAfter: number;
  horizon: string;
  frontier: string;
}

let service: TestAnswerService['service'];
let environment: TestAnswerService['environment'];
let call: InternalCall;
let answer: TestAnswerService['answer'];
let newFamily: TestAnswerService['newFamily'];
let queues: TestAnswerService['queues'];

before(async () => {
  ({ service, environment, call, answer, newFamily, queues } = await startTestAnswerService());
});
after(() => service.stop());

const feed = (query: string, token: string | null = environment.internalApiToken) =>
  fetch(`${service.url}/internal/events${query}`, { headers: token ? { [serviceTokenHeader]: token } : {} });

const page = async (after: number, limit: number): Promise<Page> => {
  const response = await feed(`?after=${after}&limit=${limit}`);
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as Page;
};

/** Every event served from `after` on, page by page, until a page comes back short. */
async function readAll(after: number, limit: number) {
  const events: FeedEvent[] = [];
  let pages = 0;
  for (let next = after; ; ) {
    const { events: served, nextAfter } = await page(next, limit);
    pages += 1;
    events.push(...served);
    next = nextAfter;
    if (served.length < limit) return { events, pages, nextAfter };
  }
}

describe('event feed', () => {
  test('when the service credential is missing or wrong, then the feed refuses with 401', async () => {
    for (const token of [null, 'not-the-internal-api-token']) {
      const response = await feed('?after=0', token);
      assert.equal(response.status, 401);
      assert.equal(response.headers.get('content-type'), 'application/problem+json');
    }
  });

  test('when the query is not a position and a limit, then the feed answers 400', async () => {
    for (const query of [
      '?limit=0',
      '?limit=1001',
      '?after=-1',
      '?after=x',
      '?after=0&order=desc',
      '?after=999999',
      '?until=soon',
    ]) {
      const response = await feed(query);
      assert.equal(response.status, 400, query);
      assert.equal(response.headers.get('content-type'), 'application/problem+json');
    }
  });

  test('when a family lives a day, then the feed serves its events in order, page by page, as published', async () => {
    const start = (await readAll(0, 1000)).nextAfter;
    const { familyId, inviteCode } = await newFamily(`uid-${randomUUID()}`);
    const child = `uid-${randomUUID()}`;
    assert.equal(
      (await call(child, 'POST', '/families/join', { inviteCode, member: { role: 'child', displayName: 'Jun' } }))
        .status,
      201,
    );
    await publishQuestionDue(environment.topic, familyId, '2026-11-25');
    const current = await questionOpened(call, child, familyId, '2026-11-25');
    const answered = await answer(child, {
      familyId,
      questionId: current.questionId,
      text: 'a secret answer',
    });
    assert.equal(answered.status, 201);

    const served = await eventually(async () => {
      const { events, pages } = await readAll(start, 2);
      const ours = events.filter((event) => event.familyId === familyId);
      return ours.length === 5 ? { ours, pages } : undefined;
    });
    assert.deepEqual(
      served.ours.map((event) => event.type),
      ['FamilyCreated', 'MemberJoined', 'MemberJoined', 'QuestionOpened', 'AnswerSubmitted'],
    );
    assert.ok(served.pages >= 3, 'read two at a time');
    const positions = served.ours.map((event) => event.position);
    assert.deepEqual(
      positions,
      [...positions].sort((a, b) => a - b),
    );

    // Each event is served exactly as it was published: same id, envelope and data (the
    // answer's text stays inside the service).
    await eventually(async () => {
      await queues.projection.drain();
      return queues.projection.events('AnswerSubmitted', familyId).length === 1;
    });
    for (const { position, ...event } of served.ours) {
      const [published] = queues.projection.events(event.type, familyId).filter(({ id }) => id === event.id);
      assert.deepEqual(event, published, event.type);
    }
    assert.equal(JSON.stringify(served.ours).includes('a secret answer'), false);
  });

  test('when an earlier position commits after a later one, then the feed waits for it instead of skipping it', async () => {
    const { nextAfter: start } = await readAll(0, 1000);
    // A writer that took its position and has not committed yet.
    const late = await service.database.db.startTransaction().execute();
    const lateFamily = randomUUID();
    await late
      .insertInto('events')
      .values({
        event_id: randomUUID(),
        stream_id: `family-${lateFamily}`,
        stream_version: 1,
        type: 'MemberLeft',
        data: JSON.stringify({ memberId: randomUUID(), leftAt: new Date().toISOString() }),
        family_id: lateFamily,
        occurred_at: new Date(),
        correlation_id: 'late',
        causation_id: null,
      })
      .execute();
    try {
      // Meanwhile a family is created: later positions, committed first.
      const { familyId } = await newFamily(`uid-${randomUUID()}`);
      const { events } = await readAll(start, 1000);
      assert.deepEqual(
        events.filter((event) => event.familyId === familyId || event.familyId === lateFamily),
        [],
        'nothing past the open transaction is served',
      );
      await late.commit().execute();

      const served = await eventually(async () => {
        const all = (await readAll(start, 1)).events;
        const ours = all.filter((event) => event.familyId === familyId || event.familyId === lateFamily);
        return ours.length === 3 ? ours : undefined;
      });
      assert.deepEqual(
        served.map((event) => [event.familyId, event.type]),
        [
          [lateFamily, 'MemberLeft'],
          [familyId, 'FamilyCreated'],
          [familyId, 'MemberJoined'],
        ],
      );
    } finally {
      if (!late.isCommitted) await late.rollback().execute();
    }
  });

  test('when a read is bounded by an earlier frontier, then it serves nothing committed after that frontier', async () => {
    const start = (await readAll(0, 1000)).nextAfter;
    const { frontier } = await page(start, 1);
    const { familyId } = await newFamily(`uid-${randomUUID()}`);
    const bounded = await feed(`?after=${start}&limit=1000&until=${frontier}`);
    assert.equal(bounded.status, 200);
    const { events: boundedEvents } = (await bounded.json()) as Page;
    assert.deepEqual(
      boundedEvents.filter((event) => event.familyId === familyId),
      [],
    );
    await eventually(async () => {
      const { events } = await readAll(start, 1000);
      return events.filter((event) => event.familyId === familyId).length === 2;
    });
  });
});
