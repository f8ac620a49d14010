// The app API against the real stack (every service its own process), through the
// typed client the gateway package exports: an authorization matrix over every route
// and caller (tokens with wrong claims among them), and every rejection of the contract,
// each of which must write nothing. Every response is checked against the OpenAPI document
// the gateway serves (its operation, status and schema): one that differs fails the test.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchService, type ServiceProcess, serviceEnvironment, waitUntilReady } from '@haru/dev-stack';
import {
  documentedFetch,
  eventually,
  freePort,
  servedDocument,
  signInTestUser,
  startTestStack,
  type TestStack,
  type TestUser,
  wallClockIn,
} from '@haru/testing';
import pg from 'pg';
import { badClaims, craftIdToken } from '../test/support/craft-id-token.ts';
import { openQuestion } from '../test/support/open-question.ts';
import { createHaruClient } from './client.ts';

let stack: TestStack;
/** A second gateway without FIREBASE_AUTH_EMULATOR_HOST: it must refuse emulator tokens. */
let strictGateway: ServiceProcess;
let parent: TestUser;
let child: TestUser;
let outsider: TestUser;
let family: { familyId: string; inviteCode: string; memberId: string };
let otherFamily: { familyId: string; inviteCode: string };
let questionId: string;
/** A family the matrix's parent and child leave: a second parent stays in it. */
let leavingFamily: { familyId: string };
/** A child of `family` the matrix's parent removes. */
let spareChild: { memberId: string };
let spare: TestUser;
/** `fetch`, checking every response against the gateway's OpenAPI document. */
let documented: typeof fetch;

const clientFor = (token: string | undefined, baseUrl = stack.url('gateway')) =>
  createHaruClient(baseUrl, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    fetch: (input: Request | string | URL, init?: RequestInit) => documented(input, init),
  });

/**
 * The wall-clock time in Seoul `hours` from now. The test families' push time is 12 hours
 * away, so no question of theirs comes due (or is announced ahead) while the tests run, and
 * the matrix moves it to 11½ hours away: still to come today if today's is still to come,
 * so the change never fires today's question at once (which would close the one the tests
 * answer).
 */
const seoulTimeIn = (hours: number) => wallClockIn('Asia/Seoul', hours * 3_600_000);

const familyInput = (name: string) => ({
  name,
  timezone: 'Asia/Seoul',
  pushTime: seoulTimeIn(12),
  member: { role: 'parent' as const, displayName: 'Mom' },
});

/** The answer service's events: all of them, or one family's of one type. */
async function answerEventCount(of?: { familyId: string; type: string }): Promise<number> {
  const client = new pg.Client({ connectionString: stack.parts.databaseUrl });
  await client.connect();
  try {
    const { rows } =
      of === undefined
        ? await client.query<{ count: string }>('select count(*) from answer.events')
        : await client.query<{ count: string }>(
            'select count(*) from answer.events where family_id = $1 and type = $2',
            [of.familyId, of.type],
          );
    return Number(rows[0]?.count);
  } finally {
    await client.end();
  }
}

/** A setup call's JSON body; a setup call that fails says so, rather than a later test. */
async function bodyOf<T>(response: { status: number; text(): Promise<string> }, status: number): Promise<T> {
  const text = await response.text();
  assert.equal(response.status, status, `a setup call answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

before(async () => {
  stack = await startTestStack();
  strictGateway = launchService(
    'gateway',
    {
      ...serviceEnvironment('gateway', stack.parts),
      PORT: String(await freePort()),
      FIREBASE_AUTH_EMULATOR_HOST: undefined,
    },
    { output: () => {} },
  );
  await waitUntilReady(strictGateway);
  documented = documentedFetch(await servedDocument(stack.url('gateway')));
  [parent, child, outsider] = await Promise.all([signInTestUser(), signInTestUser(), signInTestUser()]);
  family = await bodyOf(await clientFor(parent.idToken).v1.families.$post({ json: familyInput('Kims') }), 201);
  const joined = await clientFor(child.idToken).v1.families.join.$post({
    json: { inviteCode: family.inviteCode, member: { role: 'child', displayName: 'Jun', locale: 'en' } },
  });
  await bodyOf(joined, 201);
  otherFamily = await bodyOf(await clientFor(outsider.idToken).v1.families.$post({ json: familyInput('Parks') }), 201);
  let secondParent: TestUser;
  [spare, secondParent] = await Promise.all([signInTestUser(), signInTestUser()]);
  spareChild = await bodyOf(
    await clientFor(spare.idToken).v1.families.join.$post({
      json: { inviteCode: family.inviteCode, member: { displayName: 'Min' } },
    }),
    201,
  );
  const leaving = await bodyOf<{ familyId: string; inviteCode: string }>(
    await clientFor(parent.idToken).v1.families.$post({ json: familyInput('Leaving') }),
    201,
  );
  leavingFamily = leaving;
  const parentInvite = await bodyOf<{ inviteCode: string }>(
    await clientFor(parent.idToken).v1.families[':familyId'].invites.$post({
      param: { familyId: leaving.familyId },
      json: { role: 'parent' },
    }),
    201,
  );
  await bodyOf(
    await clientFor(secondParent.idToken).v1.families.join.$post({
      json: { inviteCode: parentInvite.inviteCode, member: { displayName: 'Dad' } },
    }),
    201,
  );
  await bodyOf(
    await clientFor(child.idToken).v1.families.join.$post({
      json: { inviteCode: leaving.inviteCode, member: { displayName: 'Jun' } },
    }),
    201,
  );
  questionId = await openQuestion(stack, family.familyId, '2026-11-25', parent);
});

after(async () => {
  await strictGateway?.stop();
  await stack?.stop();
});

describe('app API', () => {
  test('when every route is called by every kind of caller, then each gets exactly its status', async () => {
    // Every route refuses each of these callers with 401: no token, a token that is not
    // one, an unsigned (emulator) token where signatures are checked, and tokens of a
    // real user with one claim wrong (firebase-admin checks claims of emulator tokens too).
    const refused: Record<string, ReturnType<typeof clientFor>> = {
      'no token': clientFor(undefined),
      'a malformed token': clientFor('not.a.token'),
      'an unsigned token at a gateway checking signatures': clientFor(parent.idToken, strictGateway.url),
      ...Object.fromEntries(
        Object.entries(badClaims).map(([what, change]) => [
          `a token ${what}`,
          clientFor(craftIdToken(parent.idToken, change)),
        ]),
      ),
    };
    type Caller = 'other family' | 'child' | 'parent';
    const callers: Record<Caller, ReturnType<typeof clientFor>> = {
      'other family': clientFor(outsider.idToken),
      child: clientFor(child.idToken),
      parent: clientFor(parent.idToken),
    };
    const { familyId, inviteCode } = family;
    const param = { familyId };
    const routes: Array<
      [string, (client: ReturnType<typeof clientFor>, caller: string) => Promise<Response>, number[]]
    > = [
      // Expected statuses in the order: other family, child, parent.
      ['POST /v1/families', (c) => c.v1.families.$post({ json: familyInput('New') }), [201, 201, 201]],
      [
        // Members joining again get 200; the outsider joins a family of their own choosing (201).
        'POST /v1/families/join',
        (c, caller) =>
          c.v1.families.join.$post({
            json: {
              inviteCode: caller === 'other family' ? inviteCodeOfThirdFamily : inviteCode,
              member: { role: 'child', displayName: 'X' },
            },
          }),
        [201, 200, 200],
      ],
      ['GET /v1/families/:id', (c) => c.v1.families[':familyId'].$get({ param }), [404, 200, 200]],
      [
        // The parent gives the family the name it has: changes nothing.
        'PATCH /v1/families/:id',
        (c) => c.v1.families[':familyId'].$patch({ param, json: { name: 'Kims' } }),
        [404, 403, 200],
      ],
      [
        'PUT /v1/families/:id/schedule',
        (c) =>
          c.v1.families[':familyId'].schedule.$put({
            param,
            json: { pushTime: seoulTimeIn(11.5), timezone: 'Asia/Seoul', quietHours: null },
          }),
        [404, 403, 200],
      ],
      [
        'GET /v1/families/:id/questions/current',
        (c) => c.v1.families[':familyId'].questions.current.$get({ param }),
        [404, 200, 200],
      ],
      [
        'PUT /v1/families/:id/questions/:questionId/answer',
        (c, caller) =>
          c.v1.families[':familyId'].questions[':questionId'].answer.$put({
            param: { familyId, questionId },
            json: { text: `answer of ${caller}` },
          }),
        [404, 201, 201],
      ],
      [
        'GET /v1/families/:id/questions/:questionId',
        (c) => c.v1.families[':familyId'].questions[':questionId'].$get({ param: { familyId, questionId } }),
        [404, 200, 200],
      ],
      [
        'PUT /v1/me/devices/:token',
        (c, caller) =>
          c.v1.me.devices[':token'].$put({ param: { token: deviceOf(caller) }, json: { platform: 'android' } }),
        [204, 204, 204],
      ],
      [
        'DELETE /v1/me/devices/:token',
        (c, caller) => c.v1.me.devices[':token'].$delete({ param: { token: deviceOf(caller) } }),
        [204, 204, 204],
      ],
      ['GET /v1/me', (c) => c.v1.me.$get(), [200, 200, 200]],
      ['GET /v1/me/export', (c) => c.v1.me.export.$get(), [200, 200, 200]],
      [
        'GET /v1/families/:id/notifications',
        (c) => c.v1.families[':familyId'].notifications.$get({ param }),
        [404, 200, 200],
      ],
      [
        'GET /v1/families/:id/questions',
        (c) => c.v1.families[':familyId'].questions.$get({ param, query: { limit: '5' } }),
        [404, 200, 200],
      ],
      [
        'POST /v1/families/:id/invites',
        (c) => c.v1.families[':familyId'].invites.$post({ param, json: { role: 'parent' } }),
        [404, 403, 201],
      ],
      [
        'PATCH /v1/families/:id/members/me',
        (c) => c.v1.families[':familyId'].members.me.$patch({ param, json: { mutedKinds: ['reminder'] } }),
        [404, 200, 200],
      ],
      [
        'DELETE /v1/families/:id/members/:memberId',
        (c) =>
          c.v1.families[':familyId'].members[':memberId'].$delete({
            param: { familyId, memberId: spareChild.memberId },
          }),
        [404, 403, 204],
      ],
      [
        // The parent gives themselves the role they have: changes nothing.
        'PATCH /v1/families/:id/members/:memberId',
        (c) =>
          c.v1.families[':familyId'].members[':memberId'].$patch({
            param: { familyId, memberId: family.memberId },
            json: { role: 'parent' },
          }),
        [404, 403, 200],
      ],
      [
        // In a family of its own, where a second parent stays: the child leaves, then the parent.
        'DELETE /v1/families/:id/members/me',
        (c) => c.v1.families[':familyId'].members.me.$delete({ param: { familyId: leavingFamily.familyId } }),
        [404, 204, 204],
      ],
    ];
    const third = await clientFor((await signInTestUser()).idToken).v1.families.$post({ json: familyInput('Third') });
    const inviteCodeOfThirdFamily = ((await third.json()) as { inviteCode: string }).inviteCode;
    const deviceOf = (caller: string) => `matrix-${caller.replaceAll(' ', '-')}-${familyId.slice(-8)}`;

    const mismatches: string[] = [];
    for (const [route, call, expected] of routes) {
      for (const [caller, client] of Object.entries(refused)) {
        const response = await call(client, caller);
        const type = response.headers.get('content-type');
        if (response.status !== 401 || type !== 'application/problem+json') {
          mismatches.push(`${route} with ${caller}: ${response.status} ${type}, expected 401 problem`);
        }
      }
      for (const [index, caller] of (Object.keys(callers) as Caller[]).entries()) {
        const response = await call(callers[caller], caller);
        if (response.status !== expected[index]) {
          mismatches.push(`${route} as ${caller}: ${response.status}, expected ${expected[index]}`);
        }
      }
    }
    assert.deepEqual(mismatches, []);
  });

  test('when a token is rewritten with its claims unchanged, then it is accepted (so the refusals above are for the claims)', async () => {
    const response = await clientFor(craftIdToken(parent.idToken, (claims) => claims)).v1.families[':familyId'].$get({
      param: { familyId: family.familyId },
    });
    assert.equal(response.status, 200);
  });

  test('when requests are invalid, then each gets its specific 4xx and nothing is written', async () => {
    const haru = clientFor(parent.idToken);
    const before = await answerEventCount();
    const post = (json: unknown) => haru.v1.families.$post({ json: json as never });
    const expectations: Array<[string, Promise<Response>, number, RegExp]> = [
      ['unknown field', post({ ...familyInput('X'), admin: true }), 400, /admin/],
      ['invalid zone', post({ ...familyInput('X'), timezone: 'Mars/Olympus' }), 400, /timezone/],
      ['impossible time', post({ ...familyInput('X'), pushTime: '24:30' }), 400, /pushTime/],
      ['unknown role', post({ ...familyInput('X'), member: { role: 'uncle', displayName: 'U' } }), 400, /member\.role/],
      [
        'malformed invite code',
        haru.v1.families.join.$post({ json: { inviteCode: 'short', member: { role: 'child', displayName: 'C' } } }),
        400,
        /inviteCode/,
      ],
      [
        'unknown invite code',
        haru.v1.families.join.$post({ json: { inviteCode: 'ZZZZ2222', member: { role: 'child', displayName: 'C' } } }),
        404,
        /invite code/,
      ],
      [
        'empty answer',
        haru.v1.families[':familyId'].questions[':questionId'].answer.$put({
          param: { familyId: family.familyId, questionId },
          json: { text: ' ' },
        }),
        400,
        /text/,
      ],
      [
        'answer over 2000 characters',
        haru.v1.families[':familyId'].questions[':questionId'].answer.$put({
          param: { familyId: family.familyId, questionId },
          json: { text: 'x'.repeat(2001) },
        }),
        400,
        /text/,
      ],
      [
        'archive page of no questions',
        haru.v1.families[':familyId'].questions.$get({ param: { familyId: family.familyId }, query: { limit: '0' } }),
        400,
        /"path":"limit","message":"a whole number of questions from 1 to 50"/,
      ],
      [
        'archive page before a date that is not one',
        haru.v1.families[':familyId'].questions.$get({
          param: { familyId: family.familyId },
          query: { before: 'yesterday', limit: '500' },
        }),
        400,
        /the query string does not match.*"path":"before".*"path":"limit"/,
      ],
      [
        'answer to a question id that is not one',
        haru.v1.families[':familyId'].questions[':questionId'].answer.$put({
          param: { familyId: family.familyId, questionId: 'q'.repeat(2000) },
          json: { text: 'Pizza' },
        }),
        404,
        /no such question/,
      ],
      [
        'answer in a family id that is not one',
        haru.v1.families[':familyId'].questions[':questionId'].answer.$put({
          param: { familyId: 'not-a-family', questionId },
          json: { text: 'Pizza' },
        }),
        404,
        /no such family/,
      ],
    ];
    for (const [what, pending, status, mentions] of expectations) {
      const response = await pending;
      assert.equal(response.status, status, what);
      assert.equal(response.headers.get('content-type'), 'application/problem+json', what);
      assert.match(await response.text(), mentions, what);
    }
    const malformed = await documented(`${stack.url('gateway')}/v1/families`, {
      method: 'POST',
      headers: { authorization: `Bearer ${parent.idToken}`, 'content-type': 'application/json' },
      body: '{"name": "Kim"',
    });
    assert.equal(malformed.status, 400);
    const oversize = await post({ ...familyInput('X'), name: 'x'.repeat(20_000) });
    assert.equal(oversize.status, 413);
    assert.equal(await answerEventCount(), before, 'no rejected request wrote an event');
  });

  test('when the app sends a correlation id, then every kind of response carries it back', async () => {
    const call = async (method: string, path: string, { token = parent.idToken, body = undefined as unknown } = {}) => {
      const correlationId = `echo-${crypto.randomUUID()}`;
      // A route that does not exist is in no document.
      const send = path === '/v1/nowhere' ? fetch : documented;
      const response = await send(new URL(path, stack.url('gateway')), {
        method,
        headers: {
          'x-correlation-id': correlationId,
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? null : JSON.stringify(body),
      });
      await response.arrayBuffer();
      return { status: response.status, echoed: response.headers.get('x-correlation-id') === correlationId };
    };
    const familyPath = `/v1/families/${family.familyId}`;
    const outcomes = [
      // relayed from a service as it answered: a document, and a problem
      await call('GET', familyPath),
      await call('GET', `/v1/families/${otherFamily.familyId}`),
      // made by the gateway itself: a composed document, a refused token, an invalid body, no route
      await call('GET', `${familyPath}/questions/current`),
      await call('GET', familyPath, { token: 'not-a-token' }),
      await call('PUT', `${familyPath}/questions/${questionId}/answer`, { body: { text: '' } }),
      await call('GET', '/v1/nowhere'),
    ];
    assert.deepEqual(
      outcomes.map(({ status }) => status),
      [200, 404, 200, 401, 400, 404],
    );
    assert.deepEqual(
      outcomes.map(({ echoed }) => echoed),
      outcomes.map(() => true),
    );
  });

  test('when a route is called with a method it does not take, then 405 names its methods in Allow; a path no route takes is 404', async () => {
    const call = async (method: string, path: string) => {
      const response = await fetch(new URL(path, stack.url('gateway')), {
        method,
        headers: { authorization: `Bearer ${parent.idToken}` },
      });
      const problem = (await response.json()) as { type: string; detail: string };
      return {
        status: response.status,
        allow: response.headers.get('allow'),
        contentType: response.headers.get('content-type'),
        type: problem.type,
      };
    };
    const problem = (status: number, kind: string, allow: string | null) => ({
      status,
      allow,
      contentType: 'application/problem+json',
      type: `https://haru.app/problems/${kind}`,
    });
    assert.deepEqual(await call('PUT', '/v1/me'), problem(405, 'method-not-allowed', 'DELETE, GET'));
    // Two routes take this path (members/me and members/:memberId): the methods of both.
    assert.deepEqual(
      await call('POST', `/v1/families/${family.familyId}/members/me`),
      problem(405, 'method-not-allowed', 'DELETE, PATCH'),
    );
    assert.deepEqual(await call('GET', '/v1/nowhere'), problem(404, 'not-found', null));
    // A route's dot is not any character.
    assert.deepEqual(await call('POST', '/openapiXjson'), problem(404, 'not-found', null));
    assert.deepEqual(await call('POST', '/openapi.json'), problem(405, 'method-not-allowed', 'GET'));
  });

  test('when a family has no question yet, then the current question is 404', async () => {
    const response = await clientFor(outsider.idToken).v1.families[':familyId'].questions.current.$get({
      param: { familyId: otherFamily.familyId },
    });
    assert.equal(response.status, 404);
  });

  test('when an answer is repeated, changed, or given to a question no longer open, then 200, 409 and 409', async () => {
    const haru = clientFor(parent.idToken);
    const { familyId } = (await (await haru.v1.families.$post({ json: familyInput('Answers') })).json()) as {
      familyId: string;
    };
    const first = await openQuestion(stack, familyId, '2026-11-26', parent);
    const answer = (id: string, text: string) =>
      haru.v1.families[':familyId'].questions[':questionId'].answer.$put({
        param: { familyId, questionId: id },
        json: { text },
      });
    assert.equal((await answer(first, 'Kimchi')).status, 201);
    assert.equal((await answer(first, 'Kimchi')).status, 200);
    assert.equal((await answer(first, 'Bulgogi')).status, 409);
    const second = await openQuestion(stack, familyId, '2026-11-27', parent);
    assert.notEqual(second, first);
    const late = await haru.v1.families[':familyId'].questions[':questionId'].answer.$put({
      param: { familyId, questionId: first },
      json: { text: 'Changed my mind' },
    });
    assert.equal(late.status, 409);
    // The member who had answered sees the answers; the old answer stays as it was.
    const current = (await (
      await haru.v1.families[':familyId'].questions.current.$get({ param: { familyId } })
    ).json()) as {
      questionId: string;
      answers: unknown[];
    };
    assert.equal(current.questionId, second);
    assert.deepEqual(current.answers, []);
  });
});

describe('the rest of a family’s life', () => {
  const problemOf = async (response: Response) => (await response.json()) as { status: number; detail: string };

  test('when the matrix is over, then the removed child cannot see the family, and the question completed without them, read alike on its page and by its id', async () => {
    const { familyId } = family;
    const removedView = await clientFor(spare.idToken).v1.families[':familyId'].$get({ param: { familyId } });
    assert.equal(removedView.status, 404);
    // Parent and child answered in the matrix; the removed child no longer blocks completion.
    const archived = await eventually(async () => {
      const page = await clientFor(parent.idToken).v1.families[':familyId'].questions.$get({
        param: { familyId },
        query: {},
      });
      const { items } = (await page.json()) as {
        items: Array<{ questionId: string; completedAt: string | null; answeredBy: string[]; answers: unknown[] }>;
      };
      const item = items.find((candidate) => candidate.questionId === questionId);
      return item?.completedAt ? item : undefined;
    });
    assert.equal(archived.answeredBy.length, 2);
    assert.equal(archived.answers.length, 2);

    // What a tap on a push opens: the same question read by its id.
    const question = (familyId: string, id: string) =>
      clientFor(parent.idToken).v1.families[':familyId'].questions[':questionId'].$get({
        param: { familyId, questionId: id },
      });
    const byId = await question(familyId, questionId);
    assert.equal(byId.status, 200);
    assert.deepEqual(await byId.json(), archived);
    const otherQuestion = await openQuestion(stack, otherFamily.familyId, '2026-11-25', outsider);
    for (const [what, response] of [
      ['a question of another family', await question(familyId, otherQuestion)],
      ['an id that is not one', await question(familyId, 'current-ish')],
    ] as const) {
      assert.equal(response.status, 404, what);
    }
  });

  test('when the matrix is over, then each account lists the families it is in, and not those it left or was removed from', async () => {
    const familiesOf = async (user: TestUser) => {
      const response = await clientFor(user.idToken).v1.me.$get();
      assert.equal(response.status, 200);
      const account = await response.json();
      assert.equal(account.uid, user.uid);
      return account.families.map(({ familyId, name, role }) => ({ familyId, name, role }));
    };
    const kims = { familyId: family.familyId, name: 'Kims' };
    // Both left "Leaving" in the matrix, the parent after the child, and each made a family
    // "New" there; the spare child was removed from the Kims.
    const parents = await familiesOf(parent);
    assert.deepEqual(parents[0], { ...kims, role: 'parent' });
    assert.ok(!parents.some(({ familyId }) => familyId === leavingFamily.familyId));
    const [joined, made, ...others] = await familiesOf(child);
    assert.deepEqual(joined, { ...kims, role: 'child' });
    assert.deepEqual({ ...made, familyId: undefined }, { familyId: undefined, name: 'New', role: 'parent' });
    assert.deepEqual(others, []);
    assert.deepEqual(await familiesOf(spare), []);
    assert.deepEqual(await familiesOf(await signInTestUser()), []);
  });

  test('when a parent renames the family, then every member reads the new name, in the family and in their account; a child may not', async () => {
    const [mom, kid] = await Promise.all([signInTestUser(), signInTestUser()]);
    const created = await bodyOf<{ familyId: string; inviteCode: string }>(
      await clientFor(mom.idToken).v1.families.$post({ json: familyInput('Parks') }),
      201,
    );
    const { familyId } = created;
    await bodyOf(
      await clientFor(kid.idToken).v1.families.join.$post({
        json: { inviteCode: created.inviteCode, member: { displayName: 'Kid' } },
      }),
      201,
    );
    const rename = (user: TestUser, name: string) =>
      clientFor(user.idToken).v1.families[':familyId'].$patch({ param: { familyId }, json: { name } });

    const renamed = await rename(mom, '  The Parks  ');

    assert.equal(renamed.status, 200);
    assert.equal(((await renamed.json()) as { name: string }).name, 'The Parks', 'trimmed, as at creation');
    const { families } = await bodyOf<{ families: Array<{ familyId: string; name: string }> }>(
      await clientFor(kid.idToken).v1.me.$get(),
      200,
    );
    assert.deepEqual(
      families.map((listed) => ({ familyId: listed.familyId, name: listed.name })),
      [{ familyId, name: 'The Parks' }],
    );
    assert.equal((await rename(kid, 'Kid’s')).status, 403);
    assert.equal((await rename(mom, '')).status, 400);
    const read = await bodyOf<{ name: string }>(
      await clientFor(kid.idToken).v1.families[':familyId'].$get({ param: { familyId } }),
      200,
    );
    assert.equal(read.name, 'The Parks');
  });

  test('when a parent makes a child a parent, then the new parent may change the schedule and the first parent’s role; a family keeps one parent', async () => {
    const [mom, kid] = await Promise.all([signInTestUser(), signInTestUser()]);
    const created = await bodyOf<{ familyId: string; inviteCode: string; memberId: string }>(
      await clientFor(mom.idToken).v1.families.$post({ json: familyInput('Roles') }),
      201,
    );
    const { familyId } = created;
    const joined = await bodyOf<{ memberId: string }>(
      await clientFor(kid.idToken).v1.families.join.$post({
        json: { inviteCode: created.inviteCode, member: { displayName: 'Kid' } },
      }),
      201,
    );
    const changeRole = (user: TestUser, memberId: string, role: string) =>
      clientFor(user.idToken).v1.families[':familyId'].members[':memberId'].$patch({
        param: { familyId, memberId },
        json: { role: role as 'parent' },
      });
    const schedule = (user: TestUser) =>
      clientFor(user.idToken).v1.families[':familyId'].schedule.$put({
        param: { familyId },
        json: { pushTime: '07:30', timezone: 'Asia/Seoul' },
      });
    assert.equal((await schedule(kid)).status, 403);

    const promoted = await changeRole(mom, joined.memberId, 'parent');

    assert.equal(promoted.status, 200);
    assert.deepEqual(await promoted.json(), { memberId: joined.memberId, role: 'parent', displayName: 'Kid' });
    assert.equal((await schedule(kid)).status, 200);
    assert.equal((await changeRole(kid, created.memberId, 'child')).status, 200);
    const roles = await bodyOf<{ members: Array<{ displayName: string; role: string }> }>(
      await clientFor(mom.idToken).v1.families[':familyId'].$get({ param: { familyId } }),
      200,
    );
    assert.deepEqual(
      roles.members.map(({ displayName, role }) => `${displayName} (${role})`),
      ['Mom (child)', 'Kid (parent)'],
    );
    // Its schedule changed (today's question may fire at once): only role changes are counted.
    const roleChanges = { familyId, type: 'MemberRoleChanged' };
    const events = await answerEventCount(roleChanges);
    assert.equal(events, 2, 'Kid made a parent, Mom a child');
    assert.equal((await changeRole(mom, joined.memberId, 'child')).status, 403, 'Mom is a child now');
    const lastParent = await changeRole(kid, joined.memberId, 'child');
    assert.equal(lastParent.status, 409);
    assert.match((await problemOf(lastParent)).detail, /at least one parent/);
    assert.equal((await changeRole(kid, joined.memberId, 'admin')).status, 400);
    assert.equal((await changeRole(kid, crypto.randomUUID(), 'parent')).status, 404);
    assert.equal(await answerEventCount(roleChanges), events, 'nothing written by the refusals');
  });

  test('when the last parent would leave a child behind, then 409 says why; a stated role against the invite is 409', async () => {
    const leaving = await clientFor(parent.idToken).v1.families[':familyId'].members.me.$delete({
      param: { familyId: family.familyId },
    });
    assert.equal(leaving.status, 409);
    assert.match((await problemOf(leaving)).detail, /last parent cannot leave while children remain/);

    const newcomer = await signInTestUser();
    const asParent = await clientFor(newcomer.idToken).v1.families.join.$post({
      json: { inviteCode: otherFamily.inviteCode, member: { role: 'parent', displayName: 'Sneaky' } },
    });
    assert.equal(asParent.status, 409);
    assert.match((await problemOf(asParent)).detail, /for a child/);
  });

  test('when a caller’s joins keep failing, then they are answered 429 with Retry-After, and their other calls are not', async () => {
    const guesser = clientFor((await signInTestUser()).idToken);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 11; attempt++) {
      const code = `GUESS${'ABCDEFGHJKL'[attempt]}22`;
      const response = await guesser.v1.families.join.$post({
        json: { inviteCode: code, member: { displayName: 'G' } },
      });
      statuses.push(response.status);
      if (response.status === 429) assert.ok(Number(response.headers.get('retry-after')) >= 1);
    }
    assert.deepEqual(statuses, [...Array(10).fill(404), 429]);
    assert.equal((await guesser.v1.families.$post({ json: familyInput('Guessers') })).status, 201);
  });

  test('when a member changes their settings, then the family shows them as theirs', async () => {
    const haru = clientFor(child.idToken);
    const param = { familyId: family.familyId };
    const changed = await haru.v1.families[':familyId'].members.me.$patch({
      param,
      json: { displayName: 'Junie', locale: 'ko', mutedKinds: ['complete'] },
    });
    assert.equal(changed.status, 200);
    const { me } = (await (await haru.v1.families[':familyId'].$get({ param })).json()) as {
      me: { displayName: string; locale: string; mutedKinds: string[]; role: string };
    };
    assert.deepEqual(me, { ...(await changed.json()), displayName: 'Junie' });
    assert.deepEqual([me.role, me.locale, me.mutedKinds], ['child', 'ko', ['complete']]);
  });
});
