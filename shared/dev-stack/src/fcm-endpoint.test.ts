import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FcmEndpoint, startFcmEndpoint } from './fcm-endpoint.ts';

describe('FCM endpoint', () => {
  let endpoint: FcmEndpoint;
  before(async () => {
    endpoint = await startFcmEndpoint({ port: 0 });
  });
  after(() => endpoint.stop());

  const send = (body: unknown, projectId = 'demo-haru') =>
    fetch(`${endpoint.url}/v1/projects/${projectId}/messages:send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer local' },
      body: JSON.stringify(body),
    });
  const listed = async () => {
    const response = await fetch(`${endpoint.url}/messages`);
    assert.equal(response.status, 200);
    return (await response.json()) as { messages: { receivedAt: string; projectId: string; message: unknown }[] };
  };
  const unique = (prefix = 'device-') => `${prefix}${crypto.randomUUID()}`;

  it('when a message is sent to a token, then it answers with a message name and lists the message as sent', async () => {
    const message = {
      token: unique(),
      data: { kind: 'question', familyId: 'f1' },
      android: { collapse_key: 'n1', notification: { tag: 'n1', title: '오늘의 질문' } },
    };

    const response = await send({ message }, 'demo-haru');

    assert.equal(response.status, 200);
    const { name } = (await response.json()) as { name: string };
    assert.match(name, /^projects\/demo-haru\/messages\/.+/);
    const recorded = (await listed()).messages.find(
      (entry) => entry.message && (entry.message as typeof message).token === message.token,
    );
    assert.ok(recorded);
    assert.deepEqual(recorded.message, message);
    assert.equal(recorded.projectId, 'demo-haru');
    assert.ok(!Number.isNaN(Date.parse(recorded.receivedAt)));
  });

  it('when messages are sent, then the count grows by as many, without listing them', async () => {
    const count = async () =>
      ((await (await fetch(`${endpoint.url}/messages/count`)).json()) as { count: number }).count;
    const before = await count();
    for (const token of [unique(), unique()]) assert.equal((await send({ message: { token } })).status, 200);

    assert.equal(await count(), before + 2);
  });

  it('when several messages are sent, then they are listed oldest first', async () => {
    const tokens = [unique(), unique(), unique()];
    for (const token of tokens) assert.equal((await send({ message: { token } })).status, 200);

    const order = (await listed()).messages
      .map((entry) => (entry.message as { token: string }).token)
      .filter((token) => tokens.includes(token));

    assert.deepEqual(order, tokens);
  });

  it('when the token is unregistered, then it answers 404 UNREGISTERED and records nothing', async () => {
    const token = unique('unregistered-');

    const response = await send({ message: { token } });

    assert.equal(response.status, 404);
    assert.deepEqual(await response.json(), {
      error: {
        code: 404,
        message: 'Requested entity was not found.',
        status: 'NOT_FOUND',
        details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'UNREGISTERED' }],
      },
    });
    assert.ok(!(await listed()).messages.some((entry) => (entry.message as { token: string }).token === token));
    assert.ok(
      endpoint.rejections().some((entry) => entry.message.token === token && entry.errorCode === 'UNREGISTERED'),
    );
  });

  it('when the token is invalid, then it answers 400 INVALID_ARGUMENT naming the token as invalid', async () => {
    const token = unique('invalid-');

    const response = await send({ message: { token } });

    assert.equal(response.status, 400);
    const { error } = (await response.json()) as { error: { status: string; message: string; details: unknown[] } };
    assert.equal(error.status, 'INVALID_ARGUMENT');
    assert.equal(error.message, 'The registration token is not a valid FCM registration token');
    assert.deepEqual(error.details, [
      { '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'INVALID_ARGUMENT' },
    ]);
    assert.ok(!(await listed()).messages.some((entry) => (entry.message as { token: string }).token === token));
  });

  it('when a flaky token is sent to twice, then the first answer is 503 with Retry-After and the second succeeds', async () => {
    const token = unique('flaky-');

    const first = await send({ message: { token } });
    const second = await send({ message: { token } });

    assert.equal(first.status, 503);
    assert.equal(first.headers.get('retry-after'), '1');
    const { error } = (await first.json()) as { error: { status: string } };
    assert.equal(error.status, 'UNAVAILABLE');
    assert.equal(second.status, 200);
    const recorded = (await listed()).messages.filter((entry) => (entry.message as { token: string }).token === token);
    assert.equal(recorded.length, 1);
  });

  it('when a send is validate-only, then it is answered but not recorded', async () => {
    const token = unique();

    const response = await send({ message: { token }, validate_only: true });

    assert.equal(response.status, 200);
    assert.ok(!(await listed()).messages.some((entry) => (entry.message as { token: string }).token === token));
  });

  it('when the body has no message, then it answers 400 INVALID_ARGUMENT', async () => {
    const response = await send({ validate_only: false });

    assert.equal(response.status, 400);
  });

  it('when the body is not JSON or longer than a mebibyte, then it answers 400 INVALID_ARGUMENT and records nothing', async () => {
    const token = unique();
    const post = (body: string) =>
      fetch(`${endpoint.url}/v1/projects/demo-haru/messages:send`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });

    const notJson = await post(`{"message": {"token": "${token}"`);
    const tooLong = await post(JSON.stringify({ message: { token, data: { padding: 'x'.repeat(1024 * 1024) } } }));

    assert.equal(notJson.status, 400);
    assert.match(((await notJson.json()) as { error: { message: string } }).error.message, /not JSON/);
    assert.equal(tooLong.status, 400);
    assert.match(((await tooLong.json()) as { error: { message: string } }).error.message, /too large/);
    assert.ok(!(await listed()).messages.some((entry) => (entry.message as { token: string }).token === token));
  });

  it('when the messages are deleted, then none are listed', async () => {
    await send({ message: { token: unique() } });

    const response = await fetch(`${endpoint.url}/messages`, { method: 'DELETE' });

    assert.equal(response.status, 204);
    assert.deepEqual((await listed()).messages, []);
  });

  it('when asked for its health, then it answers 200', async () => {
    const response = await fetch(`${endpoint.url}/healthz`);

    assert.equal(response.status, 200);
  });
});
