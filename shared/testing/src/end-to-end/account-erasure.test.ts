// A member's account deleted after a family day, through all five services on the real
// parts: afterwards nothing haru stores (every row of every table of the database) and no
// message on any queue or dead-letter queue holds their name, answer, uid or device token,
// the others' archive shows a former member, and the projection still agrees with a replay.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { eventually } from '@haru/dev-stack';
import { queueDepth } from '@haru/messaging';
import pg from 'pg';
import { documentedFetch, servedDocument } from '../documented-responses.ts';
import { fcmMessages } from '../fcm-messages.ts';
import { internalApi } from '../internal-api.ts';
import { publishQuestionDue, questionOpened } from '../question-due.ts';
import { signInTestUser, type TestUser } from '../sign-in-test-user.ts';
import { startTestStack, type TestStack } from '../start-test-stack.ts';
import { wallClockIn } from '../time-zones.ts';

let stack: TestStack;
let documented: typeof fetch;

before(async () => {
  stack = await startTestStack();
  documented = documentedFetch(await servedDocument(stack.url('gateway')));
});
after(() => stack.stop());

const call = async (user: TestUser, method: string, path: string, body?: unknown) => {
  const response = await documented(`${stack.url('gateway')}${path}`, {
    method,
    headers: { authorization: `Bearer ${user.idToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as any };
};

/** A family founded by `parent` ("Mom"), its push half a day away: no question of its own comes due while a test runs. */
async function createFamily(parent: TestUser, name: string): Promise<{ familyId: string; inviteCode: string }> {
  const created = await call(parent, 'POST', '/v1/families', {
    name,
    timezone: 'Asia/Seoul',
    pushTime: wallClockIn('Asia/Seoul', 12 * 3_600_000),
    quietHours: null,
    member: { role: 'parent', displayName: 'Mom', locale: 'en' },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body;
}

/** Every row of every table of every schema, as text: what a dump of the database's data holds. */
async function everyRow(databaseUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ name: string }>(`
      select format('%I.%I', table_schema, table_name) as name from information_schema.tables
      where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`);
    const dumped: string[] = [];
    for (const { name } of tables) {
      const { rows } = await client.query<{ row: string }>(`select t::text as row from ${name} t`);
      dumped.push(`-- ${name}`, ...rows.map((row) => row.row));
    }
    return dumped.join('\n');
  } finally {
    await client.end();
  }
}

/** The rows of a dump (with their tables) that hold a value. */
const rowsHolding = (dump: string, value: string) => {
  let table = '';
  const holding: string[] = [];
  for (const line of dump.split('\n')) {
    if (line.startsWith('-- ')) table = line.slice(3);
    else if (line.includes(value)) holding.push(`${table}: ${line}`);
  }
  return holding.join('; ');
};

/** Every message on every queue and dead-letter queue, looked at and left there. */
async function everyMessage(): Promise<string> {
  const bodies: string[] = [];
  for (const { queueUrl, deadLetterQueueUrl } of Object.values(stack.topology.queues)) {
    for (const url of [queueUrl, deadLetterQueueUrl]) {
      const { Messages = [] } = await stack.aws.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
      );
      bodies.push(...Messages.map((message) => message.Body ?? ''));
    }
  }
  return bodies.join('\n');
}

test('when a member who answered deletes their account, then nothing haru keeps holds their name, answer, uid or device token, and replays still agree', {
  timeout: 180_000,
}, async () => {
  const [parent, child] = await Promise.all([signInTestUser(), signInTestUser()]);
  const secret = randomUUID().slice(0, 8);
  const childName = `Jun-${secret}`;
  const childAnswer = `my secret answer ${secret}`;
  const childDevice = `erasure-device-${secret}`;

  const { familyId, inviteCode } = await createFamily(parent, 'Kims');
  const joined = await call(child, 'POST', '/v1/families/join', {
    inviteCode,
    member: { displayName: childName, locale: 'en' },
  });
  assert.equal(joined.status, 201, JSON.stringify(joined.body));
  assert.equal((await call(child, 'PUT', `/v1/me/devices/${childDevice}`, { platform: 'ios' })).status, 204);

  const localDate = '2026-12-01';
  await publishQuestionDue(stack.topic, familyId, localDate);
  await questionOpened(internalApi(stack.url('answer'), stack.parts.internalApiToken), child.uid, familyId, localDate);
  const current = await call(child, 'GET', `/v1/families/${familyId}/questions/current`);
  const { questionId } = current.body;
  assert.equal(
    (await call(child, 'PUT', `/v1/families/${familyId}/questions/${questionId}/answer`, { text: childAnswer })).status,
    201,
  );
  assert.equal(
    (await call(parent, 'PUT', `/v1/families/${familyId}/questions/${questionId}/answer`, { text: 'Dinner' })).status,
    201,
  );
  // The day's push reached the child's phone: the notifier holds a delivery to its token.
  await eventually(async () => (await fcmMessages()).some((message) => message.message.token === childDevice), {
    timeoutMs: 30_000,
    message: "the question's push reaches the child's device",
  });

  const exported = await call(child, 'GET', '/v1/me/export');
  assert.equal(exported.status, 200);
  assert.equal(exported.body.families[0].membership.displayName, childName);
  assert.equal(exported.body.families[0].answers[0].text, childAnswer);
  assert.equal(exported.body.devices[0].token, childDevice);
  assert.ok(exported.body.deliveries.some((delivery: { token: string }) => delivery.token === childDevice));

  // The last parent cannot go while a child remains: nothing changes, the family is named.
  const refused = await call(parent, 'DELETE', '/v1/me');
  assert.equal(refused.status, 409);
  assert.match(refused.body.detail, /Kims/);

  const deleted = await call(child, 'DELETE', '/v1/me');
  assert.equal(deleted.status, 204, `${JSON.stringify(deleted.body)}\n${stack.recentLogs()}`);
  assert.equal((await call(child, 'DELETE', '/v1/me')).status, 204, 'a retry answers the same');

  const family = await call(parent, 'GET', `/v1/families/${familyId}`);
  assert.equal(family.status, 200, JSON.stringify(family.body));
  assert.deepEqual(
    family.body.members.map((member: { displayName: string }) => member.displayName),
    ['Mom'],
  );
  const archive = await call(parent, 'GET', `/v1/families/${familyId}/questions`);
  assert.equal(archive.status, 200, `${JSON.stringify(archive.body)}\n${stack.recentLogs()}`);
  const answers = archive.body.items[0].answers.map((answer: { text: string }) => answer.text);
  assert.deepEqual(answers.sort(), ['(deleted with its author’s account)', 'Dinner']);
  const afterwards = await call(child, 'GET', '/v1/me/export');
  assert.deepEqual([afterwards.body.families, afterwards.body.devices, afterwards.body.deliveries], [[], [], []]);

  // Every service has handled what the erasure caused (the queues are idle), then nothing holds the member.
  await eventually(
    async () => {
      for (const { queueUrl } of Object.values(stack.topology.queues)) {
        const { visible, inFlight } = await queueDepth(stack.aws.sqs, queueUrl);
        if (visible + inFlight > 0) return false;
      }
      return true;
    },
    { timeoutMs: 30_000, message: 'every queue is idle' },
  );
  const stored = await everyRow(stack.parts.databaseUrl);
  const queued = await everyMessage();
  assert.match(stored, /Mom/, 'the dump holds the family (the scan reads what is stored)');
  for (const personal of [childName, childAnswer, child.uid, childDevice]) {
    assert.equal(
      stored.includes(personal),
      false,
      `the database still holds ${personal}: ${rowsHolding(stored, personal)}`,
    );
    assert.equal(queued.includes(personal), false, `a queue still holds ${personal}`);
  }

  const verified = await stack.verifyProjection();
  assert.equal(verified.code, 0, verified.output);
});

test('when a family’s members erase their accounts, some twice, and leave at once, then every request is answered as one alone would be, none with a 5xx', {
  timeout: 120_000,
}, async () => {
  const [parent, ...children] = await Promise.all(Array.from({ length: 5 }, () => signInTestUser()));
  const { familyId, inviteCode } = await createFamily(parent as TestUser, 'Parks');
  for (const child of children) {
    const joined = await call(child, 'POST', '/v1/families/join', {
      inviteCode,
      member: { displayName: 'Kid', locale: 'en' },
    });
    assert.equal(joined.status, 201, JSON.stringify(joined.body));
  }

  // Thirteen writes on one family's stream at once: each conflict means another got in.
  const racing = await Promise.all([
    ...children.flatMap((child) => [
      call(child, 'DELETE', '/v1/me'),
      call(child, 'DELETE', '/v1/me'),
      call(child, 'DELETE', `/v1/families/${familyId}/members/me`),
    ]),
    call(parent as TestUser, 'PATCH', `/v1/families/${familyId}`, { name: 'The Parks' }),
  ]);
  const statuses = racing.map((response) => response.status);
  assert.deepEqual(
    statuses.filter((status) => status >= 500),
    [],
    `${JSON.stringify(racing)}\n${stack.recentLogs()}`,
  );
  // An erasure is 204 however often; leaving is 204, or 404 once the erasure took the member.
  assert.ok(
    statuses.every((status) => [200, 204, 404].includes(status)),
    JSON.stringify(statuses),
  );
  const family = await call(parent as TestUser, 'GET', `/v1/families/${familyId}`);
  assert.equal(family.body.name, 'The Parks');
  assert.deepEqual(
    family.body.members.map((member: { displayName: string }) => member.displayName),
    ['Mom'],
  );
});
