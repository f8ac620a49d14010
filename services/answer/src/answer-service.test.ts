import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { callerUidHeader } from '@haru/contracts';
import { serviceTokenHeader } from '@haru/http';
import {
  eventually,
  type InternalCall,
  isQueueIdle,
  publishEvent,
  publishQuestionDue,
  questionOpened,
} from '@haru/testing';
import { sql } from 'kysely';
import { startTestAnswerService, type TestAnswerService } from '../test/support/start-test-answer-service.ts';

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

const child = { role: 'child', displayName: 'Min', locale: 'en' };

/** The scheduler's QuestionDue for a family, on the topic as in production. */
const publishDue = (familyId: string, localDate: string) => publishQuestionDue(environment.topic, familyId, localDate);

describe('answer service', () => {
  test('when the service credential is missing, then the internal API refuses with 401', async () => {
    const response = await fetch(`${service.url}/internal/families/x`, { headers: { [callerUidHeader]: 'u' } });
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('content-type'), 'application/problem+json');
  });

  test('when a family is created, then FamilyCreated and MemberJoined are stored and published', async () => {
    const { familyId, inviteCode, memberId } = await newFamily('uid-dad-1');
    assert.match(inviteCode, /^[A-Z2-9]{8}$/);
    const family = await call('uid-dad-1', 'GET', `/families/${familyId}`);
    assert.deepEqual(family.body, {
      familyId,
      name: 'Parks',
      timezone: 'Asia/Seoul',
      pushTime: '20:00',
      quietHours: { start: '22:00', end: '08:00' },
      reminderOffsetMinutes: 180,
      members: [{ memberId, role: 'parent', displayName: 'Dad' }],
      me: { memberId, role: 'parent', displayName: 'Dad', locale: 'ko', mutedKinds: [] },
    });
    await eventually(async () => {
      await queues.projection.drain();
      return queues.projection.events('MemberJoined', familyId).length === 1;
    });
    const [published] = queues.projection.events('FamilyCreated', familyId);
    assert.deepEqual(published?.data, {
      name: 'Parks',
      timezone: 'Asia/Seoul',
      pushTime: '20:00',
      quietHours: { start: '22:00', end: '08:00' },
      reminderOffsetMinutes: 180,
    });
  });

  test('when the same uid joins twice, then the second join answers 200 with the same member', async () => {
    const { familyId, inviteCode } = await newFamily('uid-dad-2');
    const first = await call('uid-min-2', 'POST', '/families/join', { inviteCode, member: child });
    const second = await call('uid-min-2', 'POST', '/families/join', { inviteCode, member: child });
    assert.equal(first.status, 201);
    assert.equal(second.status, 200);
    assert.deepEqual(second.body, first.body);
    assert.equal(first.body.familyId, familyId);
  });

  test('when members join at the same moment, then every join is kept (optimistic concurrency retries)', async () => {
    const { familyId, inviteCode } = await newFamily('uid-dad-3');
    const joins = await Promise.all(
      Array.from({ length: 5 }, (_, index) =>
        call(`uid-kid-3-${index}`, 'POST', '/families/join', { inviteCode, member: child }),
      ),
    );
    assert.deepEqual(
      joins.map((join) => join.status),
      [201, 201, 201, 201, 201],
    );
    const family = await call('uid-dad-3', 'GET', `/families/${familyId}`);
    assert.equal(family.body.members.length, 6);
  });

  test('when a child changes the schedule, then 403 and nothing is stored; a parent may clear quiet hours', async () => {
    const { familyId, inviteCode } = await newFamily('uid-dad-4');
    await call('uid-min-4', 'POST', '/families/join', { inviteCode, member: child });
    const schedule = { pushTime: '07:30', timezone: 'Europe/London', quietHours: null };
    const before = await sql<{ count: string }>`select count(*) from answer.events`.execute(service.database.db);
    assert.equal((await call('uid-min-4', 'PUT', `/families/${familyId}/schedule`, schedule)).status, 403);
    const unchanged = await sql<{ count: string }>`select count(*) from answer.events`.execute(service.database.db);
    assert.equal(unchanged.rows[0]?.count, before.rows[0]?.count);
    const changed = await call('uid-dad-4', 'PUT', `/families/${familyId}/schedule`, schedule);
    assert.equal(changed.status, 200);
    assert.equal((await call('uid-dad-4', 'GET', `/families/${familyId}`)).body.quietHours, null);
  });

  test('when someone outside the family asks for it, then it does not exist for them', async () => {
    const { familyId } = await newFamily('uid-dad-5');
    assert.equal((await call('uid-stranger', 'GET', `/families/${familyId}`)).status, 404);
    assert.equal((await call('uid-dad-5', 'GET', '/families/not-a-family')).status, 404);
  });

  test('when QuestionDue is delivered twice, then one question opens, and answers are idempotent', async () => {
    const { familyId, inviteCode } = await newFamily('uid-dad-6');
    await call('uid-min-6', 'POST', '/families/join', { inviteCode, member: child });
    const due = await publishDue(familyId, '2026-11-25');
    await publishEvent(environment.topic, due); // the same event again, as SNS may deliver it
    const current = await questionOpened(call, 'uid-min-6', familyId, '2026-11-25');
    assert.equal(current.localDate, '2026-11-25');
    assert.match(current.text, /[A-Za-z]/, 'the child reads English');
    assert.equal(current.requiredMemberIds.length, 2);
    // Both deliveries have been handled once the answer queue is idle; still one question.
    await eventually(() => isQueueIdle(environment.clients.sqs, environment.topology.queues.answer.queueUrl));
    const opened = await sql<{ count: string }>`
      select count(*) from answer.events where family_id = ${familyId} and type = 'QuestionOpened'`.execute(
      service.database.db,
    );
    assert.equal(opened.rows[0]?.count, '1');

    const { questionId } = current;
    assert.equal((await answer('uid-min-6', { familyId, questionId, text: 'Pizza' })).status, 201);
    assert.equal((await answer('uid-min-6', { familyId, questionId, text: 'Pizza' })).status, 200);
    assert.equal((await answer('uid-min-6', { familyId, questionId, text: 'Kimchi' })).status, 409);
    const after = await call('uid-min-6', 'GET', `/families/${familyId}/questions/current`);
    assert.deepEqual(
      after.body.answers.map((answer: { text: string }) => answer.text),
      ['Pizza'],
    );
    const parentView = await call('uid-dad-6', 'GET', `/families/${familyId}/questions/current`);
    assert.deepEqual(parentView.body.answers, [], 'not shown before the parent has answered');

    // Read by its id (a push's questionId), as the archive shows it, to each member as they may see it.
    const byId = (uid: string, id: string) => call(uid, 'GET', `/families/${familyId}/questions/${id}`);
    const childById = await byId('uid-min-6', questionId);
    assert.equal(childById.status, 200);
    assert.deepEqual(childById.body, {
      questionId,
      localDate: '2026-11-25',
      text: current.text,
      openedAt: current.openedAt,
      answeredBy: after.body.answers.map((answer: { memberId: string }) => answer.memberId),
      answers: after.body.answers,
    });
    assert.deepEqual((await byId('uid-dad-6', questionId)).body.answers, [], 'not before the parent has answered');
    assert.equal((await byId('uid-dad-6', randomUUID())).status, 404);
    assert.equal((await byId('uid-stranger', questionId)).status, 404);
    // An id that is not a UUID names no question, and never reaches a query (a NUL byte is
    // one PostgreSQL refuses in any text).
    for (const notAnId of ['%00', 'not-a-question', `${questionId}x`]) {
      assert.equal((await byId('uid-dad-6', notAnId)).status, 404, notAnId);
    }
  });

  test('when a question is due ahead of its instant, then it is held invisible and unanswerable until then', async () => {
    const { familyId, inviteCode } = await newFamily('uid-dad-9');
    await call('uid-min-9', 'POST', '/families/join', { inviteCode, member: child });
    await publishDue(familyId, '2026-11-25');
    const today = await questionOpened(call, 'uid-min-9', familyId, '2026-11-25');

    const instant = new Date(Date.now() + 15_000);
    await publishQuestionDue(environment.topic, familyId, '2026-11-26', randomUUID(), instant);
    const prepared = await eventually(async () => {
      const { rows } = await sql<{ data: { questionId: string; openedAt: string } }>`
        select data from answer.events
        where family_id = ${familyId} and type = 'QuestionOpened' and data->>'localDate' = '2026-11-26'`.execute(
        service.database.db,
      );
      return rows[0]?.data;
    });
    assert.equal(prepared.openedAt, instant.toISOString(), 'it opens at its instant, not when it was prepared');
    assert.ok(Date.now() < instant.getTime(), 'prepared with time to spare (a machine this slow cannot tell)');

    const shown = await call('uid-min-9', 'GET', `/families/${familyId}/questions/current`);
    assert.equal(shown.body.questionId, today.questionId, 'the previous question is current until the instant');
    const byId = () => call('uid-min-9', 'GET', `/families/${familyId}/questions/${prepared.questionId}`);
    assert.equal((await byId()).status, 404, 'not read by its id either');
    const early = await answer('uid-min-9', { familyId, questionId: prepared.questionId, text: 'Early' });
    assert.equal(early.status, 409);
    assert.match(early.body.detail, /not opened yet/);
    assert.equal(
      (await answer('uid-min-9', { familyId, questionId: today.questionId, text: 'Still today' })).status,
      201,
    );

    const opened = await questionOpened(call, 'uid-min-9', familyId, '2026-11-26', { timeoutMs: 30_000 });
    assert.ok(Date.now() >= instant.getTime(), 'never shown before its instant');
    assert.equal(opened.questionId, prepared.questionId);
    assert.equal((await byId()).body.text, opened.text);
    assert.equal(
      (await answer('uid-min-9', { familyId, questionId: prepared.questionId, text: 'On time' })).status,
      201,
    );
  });

  test('when a body is malformed, then a specific 4xx problem and nothing is written', async () => {
    const response = await fetch(`${service.url}/internal/families`, {
      method: 'POST',
      headers: {
        [serviceTokenHeader]: environment.internalApiToken,
        [callerUidHeader]: 'uid-bad',
        'content-type': 'application/json',
      },
      body: '{"name":',
    });
    assert.equal(response.status, 400);
    const invalidZone = await call('uid-bad', 'POST', '/families', {
      name: 'X',
      timezone: 'Mars/Olympus',
      pushTime: '25:00',
      member: { role: 'parent', displayName: 'X' },
    });
    assert.equal(invalidZone.status, 400);
    assert.deepEqual(invalidZone.body.errors.map((error: { path: string }) => error.path).sort(), [
      'pushTime',
      'timezone',
    ]);
  });

  test('when the gateway hands over members’ answers together, then they are written in one transaction, each once and under its own correlation id', async () => {
    const { familyId, inviteCode } = await newFamily('uid-dad-7');
    const members = Array.from({ length: 9 }, (_, index) => `uid-kid-7-${index}`);
    for (const uid of members) await call(uid, 'POST', '/families/join', { inviteCode, member: child });
    await publishDue(familyId, '2026-11-26');
    const { questionId } = await questionOpened(call, 'uid-dad-7', familyId, '2026-11-26');
    const everyone = ['uid-dad-7', ...members];
    const answers = everyone.map((uid) => ({
      familyId,
      questionId,
      uid,
      correlationId: `c-${uid}`,
      text: `From ${uid}`,
    }));
    const response = await call(null, 'POST', '/answers', { answers });
    assert.equal(response.status, 200);
    assert.deepEqual(
      response.body.outcomes,
      answers.map(({ text }) => ({ status: 201, body: { questionId, text } })),
    );
    const { rows } = await sql<{ answers: string; transactions: string; correlated: string }>`
      select count(*) as answers, count(distinct transaction_id) as transactions,
        count(distinct correlation_id) filter (where correlation_id like 'c-uid-%') as correlated
      from answer.events where stream_id = ${`question-${questionId}`} and type = 'AnswerSubmitted'`.execute(
      service.database.db,
    );
    assert.deepEqual(rows[0], { answers: '10', transactions: '1', correlated: '10' });
  });

  test('when answers handed over together cannot all be taken, then each gets its own outcome, and a malformed call changes nothing', async () => {
    const { familyId } = await newFamily('uid-dad-8');
    await publishDue(familyId, '2026-11-27');
    const { questionId } = await questionOpened(call, 'uid-dad-8', familyId, '2026-11-27');
    const one = (uid: string, ids: { familyId: string; questionId: string }, text = 'Noodles') => ({
      ...ids,
      uid,
      correlationId: `c-${uid}`,
      text,
    });
    const response = await call(null, 'POST', '/answers', {
      answers: [
        one('uid-dad-8', { familyId, questionId }),
        one('uid-stranger-8', { familyId, questionId }),
        one('uid-dad-8', { familyId, questionId: randomUUID() }),
        one('uid-dad-8', { familyId, questionId }, 'Rice'),
      ],
    });
    assert.equal(response.status, 200);
    assert.deepEqual(
      response.body.outcomes.map((outcome: { status: number; body: { type?: string } }) => [
        outcome.status,
        outcome.body.type,
      ]),
      [
        [201, undefined],
        [404, 'https://haru.app/problems/not-found'],
        [404, 'https://haru.app/problems/not-found'],
        [409, 'https://haru.app/problems/conflict'],
      ],
    );

    const malformed = await call(null, 'POST', '/answers', {
      answers: [
        one('uid-dad-8', { familyId, questionId }),
        { ...one('uid-dad-8', { familyId, questionId }), text: '' },
      ],
    });
    assert.equal(malformed.status, 400);
    assert.equal((await call(null, 'POST', '/answers', { answers: [] })).status, 400);
    const notAnId = await call(null, 'POST', '/answers', {
      answers: [
        one('uid-dad-8', { familyId, questionId }),
        one('uid-dad-8', { familyId, questionId: 'not-a-question' }),
      ],
    });
    assert.equal(notAnId.status, 400, 'the gateway sends only ids');
    const { rows } = await sql<{ count: string }>`
      select count(*) from answer.events where stream_id = ${`question-${questionId}`} and type = 'AnswerSubmitted'`.execute(
      service.database.db,
    );
    assert.equal(rows[0]?.count, '1');
  });
});
