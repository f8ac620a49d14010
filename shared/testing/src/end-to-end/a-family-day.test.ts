// One family's whole day through all five services, each its own process, on the real
// parts: PostgreSQL, SNS/SQS over the AWS wire protocol (fauxqs), the Auth emulator,
// and firebase-admin sending to the local FCM endpoint. It runs on the real clock: the
// push time is the next whole minute, so the test takes about a minute. Every response of
// the gateway is checked against the OpenAPI document it serves.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { correlationIdHeader } from '@haru/contracts';
import { eventually, type ServiceName } from '@haru/dev-stack';
import { documentedFetch, servedDocument } from '../documented-responses.ts';
import { fcmMessages } from '../fcm-messages.ts';
import { signInTestUser } from '../sign-in-test-user.ts';
import { startTestStack, type TestStack } from '../start-test-stack.ts';
import { wallClockIn } from '../time-zones.ts';

const timezone = 'Asia/Seoul';

/** An FCM v1 message as it arrives on the wire (firebase-admin sends snake_case). */
interface WireMessage {
  token?: string;
  data?: Record<string, string>;
  notification?: { title?: string; body?: string };
  android?: { collapse_key?: string; notification?: { tag?: string } };
  apns?: { headers?: Record<string, string> };
}
let stack: TestStack;
let gateway = '';
/** `fetch`, checking each response against the gateway's OpenAPI document. */
let documented: typeof fetch;
/** Every JSON log line of every service, as it was written. */
const logs: Array<{ service: ServiceName; entry: Record<string, unknown> }> = [];

before(async () => {
  stack = await startTestStack({
    environment: () => ({ LOG_LEVEL: 'info' }),
    onOutput: (service, line) => {
      if (line.startsWith('{')) logs.push({ service, entry: JSON.parse(line) });
    },
  });
  gateway = stack.url('gateway');
  documented = documentedFetch(await servedDocument(gateway));
});

after(() => stack.stop());

const call = async (
  token: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) => {
  const response = await documented(`${gateway}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
};

test(
  'when a family lives through a day, then each device gets the question and the "everyone answered" push once',
  { timeout: 240_000 },
  () => withServiceLogsOnFailure(liveOneDay),
);

/**
 * Each hop from the last answer to the "everyone answered" push logged the request's
 * correlation id: the gateway's request line, the answer service's line for the answer (it
 * came in a batch), the projection's AnswerSubmitted, the scheduler's fire of the due row
 * (DueAndComplete), and the notifier's push to each device.
 */
async function followTheCorrelationId(correlationId: string) {
  const hops: Array<[ServiceName, (entry: Record<string, unknown>) => boolean]> = [
    [
      'gateway',
      (entry) => entry.msg === 'request' && entry.route === '/v1/families/:familyId/questions/:questionId/answer',
    ],
    ['answer', (entry) => entry.msg === 'answer' && entry.status === 201],
    ['projection', (entry) => entry.msg === 'event handled' && entry.type === 'AnswerSubmitted'],
    ['scheduler', (entry) => entry.msg === 'due row fired' && entry.type === 'DueAndComplete'],
    ['notifier', (entry) => entry.msg === 'push sent' && entry.kind === 'complete'],
  ];
  const missing = () =>
    hops
      .filter(
        ([service, isHop]) =>
          !logs.some((log) => log.service === service && log.entry.correlationId === correlationId && isHop(log.entry)),
      )
      .map(([service]) => service);
  const pushes = () =>
    logs.filter(
      ({ service, entry }) =>
        service === 'notifier' && entry.msg === 'push sent' && entry.correlationId === correlationId,
    );
  // The notifier logs a push after FCM has taken it: the second device's line may still be
  // on its way when the first has come.
  await eventually(
    () => {
      assert.deepEqual(missing(), [], 'services without the line');
      assert.ok(pushes().length >= 2, 'a line for each device');
      return true;
    },
    { message: `every hop logged ${correlationId}` },
  );
  assert.equal(pushes().length, 2, 'one line per delivery');
}

/** On failure, the services' last log lines say more than any assertion. */
async function withServiceLogsOnFailure(run: () => Promise<void>) {
  try {
    await run();
  } catch (error) {
    console.error(stack.recentLogs());
    throw error;
  }
}

async function liveOneDay() {
  const parent = await signInTestUser();
  const child = await signInTestUser();
  // The next whole minute, at least 20 s away so that set-up fits before it.
  const pushTime = wallClockIn(timezone, 80_000);

  const created = await call(parent.idToken, 'POST', '/v1/families', {
    name: 'Kims',
    timezone,
    pushTime,
    quietHours: null,
    member: { role: 'parent', displayName: 'Mom', locale: 'ko' },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const { familyId, inviteCode } = created.body;

  const joined = await call(child.idToken, 'POST', '/v1/families/join', {
    inviteCode,
    member: { role: 'child', displayName: 'Jun', locale: 'en' },
  });
  assert.equal(joined.status, 201, JSON.stringify(joined.body));
  // Two more join before the question: one leaves, the parent removes the other (the replay
  // verified at the end of the day holds their departures too).
  const [leaver, removed] = [await signInTestUser(), await signInTestUser()];
  for (const member of [leaver, removed]) {
    const join = await call(member.idToken, 'POST', '/v1/families/join', {
      inviteCode,
      member: { displayName: 'Min' },
    });
    assert.equal(join.status, 201, JSON.stringify(join.body));
    if (member === removed) {
      const removal = await call(parent.idToken, 'DELETE', `/v1/families/${familyId}/members/${join.body.memberId}`);
      assert.equal(removal.status, 204);
    }
  }
  assert.equal((await call(leaver.idToken, 'DELETE', `/v1/families/${familyId}/members/me`)).status, 204);

  const parentDevice = `e2e-parent-${randomUUID()}`;
  const childDevice = `e2e-child-${randomUUID()}`;
  assert.equal(
    (await call(parent.idToken, 'PUT', `/v1/me/devices/${parentDevice}`, { platform: 'android' })).status,
    204,
  );
  assert.equal((await call(child.idToken, 'PUT', `/v1/me/devices/${childDevice}`, { platform: 'ios' })).status, 204);
  const family = await call(parent.idToken, 'GET', `/v1/families/${familyId}`);
  assert.equal(family.body.members.length, 2);
  assert.equal(family.body.quietHours, null);

  const ours = async () =>
    (await fcmMessages())
      .map((received) => received.message as WireMessage)
      .filter((message) => [parentDevice, childDevice].includes(String(message.token)));
  const ofKind = async (kind: string) => (await ours()).filter((message) => message.data?.kind === kind);

  // At the push time: today's question reaches both devices.
  const questionPushes = await eventually(
    async () => ((await ofKind('question')).length >= 2 ? ofKind('question') : undefined),
    {
      timeoutMs: 150_000,
      intervalMs: 250,
      message: "today's question on both devices",
    },
  );
  const current = await call(child.idToken, 'GET', `/v1/families/${familyId}/questions/current`);
  assert.equal(current.status, 200);
  const { questionId } = current.body;
  assert.deepEqual(current.body.answers, [], 'no answers are shown before the caller answers');

  for (const push of questionPushes) {
    const data = push.data ?? {};
    assert.equal(data.kind, 'question');
    assert.equal(data.familyId, familyId);
    assert.equal(data.questionId, questionId);
    assert.match(String(data.notificationId), /^[0-9a-f-]{36}$/);
    assert.equal(push.android?.notification?.tag, data.notificationId);
    assert.equal(push.android?.collapse_key, data.notificationId);
    assert.equal(push.apns?.headers?.['apns-collapse-id'], data.notificationId);
  }
  const childPush = questionPushes.find((push) => push.token === childDevice);
  assert.equal(childPush?.notification?.body, current.body.text, 'the child reads the question in English');

  // Both answer: the projection completes the family, the scheduler releases the push.
  assert.equal(
    (
      await call(parent.idToken, 'PUT', `/v1/families/${familyId}/questions/${questionId}/answer`, {
        text: '저녁 같이 먹기',
      })
    ).status,
    201,
  );
  // Answers reach the projection in any order (SQS does not keep it); the child's must be the
  // last one it sees for the completion, and the push, to follow from it.
  await eventually(
    async () => {
      const { body } = await call(parent.idToken, 'GET', `/v1/families/${familyId}/questions/current`);
      return body?.answeredBy?.length === 1 ? true : undefined;
    },
    // Gently: each look is one of the parent's 120 requests a minute (RATE_LIMIT_PER_MINUTE).
    { message: "the projection has the parent's answer", intervalMs: 250 },
  );
  // The last answer carries the app's correlation id: the "everyone answered" push it leads
  // to can be followed back to it through every service's log.
  const correlationId = `e2e-last-answer-${randomUUID()}`;
  const lastAnswer = await call(
    child.idToken,
    'PUT',
    `/v1/families/${familyId}/questions/${questionId}/answer`,
    { text: 'Soccer' },
    { [correlationIdHeader]: correlationId },
  );
  assert.equal(lastAnswer.status, 201);
  await eventually(async () => ((await ofKind('complete')).length >= 2 ? true : undefined), {
    timeoutMs: 30_000,
    intervalMs: 100,
    message: '"everyone answered" on both devices',
  });
  await followTheCorrelationId(correlationId);

  const log = await eventually(
    async () => {
      const { body } = await call(parent.idToken, 'GET', `/v1/families/${familyId}/notifications`);
      const settled =
        body?.items?.length === 2 &&
        body.items.every((item: { deliveries: Array<{ status: string }> }) =>
          item.deliveries.every((delivery) => delivery.status === 'sent'),
        );
      return settled ? body : undefined;
    },
    { message: 'the delivery log shows both notifications sent' },
  );
  assert.deepEqual(log.items.map((item: { kind: string }) => item.kind).sort(), ['complete', 'question']);

  // Exactly these four pushes and nothing else: one of each kind per device.
  const all = await ours();
  assert.equal(all.length, 4, JSON.stringify(all.map((message) => message.data)));
  for (const token of [parentDevice, childDevice]) {
    const kinds = all.filter((message) => message.token === token).map((message) => message.data?.kind);
    assert.deepEqual(kinds.sort(), ['complete', 'question']);
  }
  const progress = await call(child.idToken, 'GET', `/v1/families/${familyId}/questions/current`);
  assert.equal(progress.body.complete, true);
  assert.equal(progress.body.answers.length, 2, 'answers are shown once the caller has answered');

  // The projection's read model is what a replay of the answer service's events gives.
  const verified = await stack.verifyProjection();
  assert.equal(verified.code, 0, verified.output);
  // It ran on the variables the stack runs the projection on: this test's LOG_LEVEL (info), not the stack's default (warn).
  assert.match(verified.output, /replaying the event feed to verify the completion model/, verified.output);
}
