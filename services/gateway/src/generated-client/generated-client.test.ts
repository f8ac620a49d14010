// A family's day driven by the client an app team generates from the OpenAPI document
// (openapi-typescript's types, haru-api.d.ts, with openapi-fetch), against the real stack:
// if the document could not carry a client through a day, this would not compile or pass.
// Every response is also checked against the document the gateway serves.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  documentedFetch,
  eventually,
  servedDocument,
  signInTestUser,
  startTestStack,
  type TestStack,
  wallClockIn,
} from '@haru/testing';
import createClient from 'openapi-fetch';
import { openQuestion } from '../../test/support/open-question.ts';
import type { paths } from './haru-api.d.ts';

let stack: TestStack;
let documented: typeof fetch;

before(async () => {
  stack = await startTestStack();
  documented = documentedFetch(await servedDocument(stack.url('gateway')));
});
after(() => stack?.stop());

const clientOf = (idToken: string) =>
  createClient<paths>({
    baseUrl: stack.url('gateway'),
    headers: { authorization: `Bearer ${idToken}` },
    fetch: (request) => documented(request),
  });

/** A push time three hours from now in the zone: the scheduler stays out of this day. */
const pushTimeLater = (timezone: string) => wallClockIn(timezone, 3 * 3_600_000);

test('when a family lives a day through the generated client, then each step answers as documented', async () => {
  const [mom, jun] = await Promise.all([signInTestUser(), signInTestUser()]);
  const asMom = clientOf(mom.idToken);
  const asJun = clientOf(jun.idToken);
  const timezone = 'Asia/Seoul';

  const created = await asMom.POST('/v1/families', {
    body: {
      name: 'Kims',
      timezone,
      pushTime: pushTimeLater(timezone),
      quietHours: null,
      member: { role: 'parent', displayName: 'Mom' },
    },
  });
  assert.equal(created.response.status, 201, JSON.stringify(created.error));
  assert.ok(created.data);
  const { familyId, inviteCode } = created.data;
  const family = { params: { path: { familyId } } };

  const joined = await asJun.POST('/v1/families/join', {
    body: { inviteCode, member: { role: 'child', displayName: 'Jun', locale: 'en' } },
  });
  assert.equal(joined.response.status, 201);
  assert.equal(joined.data?.familyId, familyId);
  const again = await asJun.POST('/v1/families/join', {
    body: { inviteCode, member: { role: 'child', displayName: 'Jun' } },
  });
  assert.equal(again.response.status, 200);
  assert.equal(again.data?.memberId, joined.data?.memberId);
  // Jun's app on a new phone finds the family from the account alone.
  const account = await asJun.GET('/v1/me');
  assert.deepEqual(account.data?.families, [
    { familyId, name: 'Kims', memberId: joined.data?.memberId, role: 'child', displayName: 'Jun' },
  ]);

  for (const [client, platform] of [
    [asMom, 'android'],
    [asJun, 'ios'],
  ] as const) {
    const token = `generated-client-${platform}-${familyId}`;
    const registered = await client.PUT('/v1/me/devices/{token}', { params: { path: { token } }, body: { platform } });
    assert.equal(registered.response.status, 204);
  }

  const changed = await asJun.PUT('/v1/families/{familyId}/schedule', {
    ...family,
    body: { pushTime: '07:00', timezone, quietHours: null },
  });
  assert.equal(changed.response.status, 403, 'a child does not change the schedule');
  assert.equal(changed.error?.status, 403);

  const read = await asJun.GET('/v1/families/{familyId}', family);
  assert.deepEqual(
    read.data?.members.map(({ displayName, role }) => `${displayName} (${role})`),
    ['Mom (parent)', 'Jun (child)'],
  );

  const questionId = await openQuestion(stack, familyId, '2026-12-01', mom);
  const before = await asJun.GET('/v1/families/{familyId}/questions/current', family);
  assert.equal(before.data?.questionId, questionId);
  assert.deepEqual(before.data?.answers, [], 'no answers before the caller has answered');

  const answer = { params: { path: { familyId, questionId } } };
  const momAnswered = await asMom.PUT('/v1/families/{familyId}/questions/{questionId}/answer', {
    ...answer,
    body: { text: '저녁 같이 먹기' },
  });
  assert.equal(momAnswered.response.status, 201);
  const junAnswered = await asJun.PUT('/v1/families/{familyId}/questions/{questionId}/answer', {
    ...answer,
    body: { text: 'Soccer' },
  });
  assert.equal(junAnswered.response.status, 201);
  const retried = await asJun.PUT('/v1/families/{familyId}/questions/{questionId}/answer', {
    ...answer,
    body: { text: 'Soccer' },
  });
  assert.equal(retried.response.status, 200);
  const changedMind = await asJun.PUT('/v1/families/{familyId}/questions/{questionId}/answer', {
    ...answer,
    body: { text: 'Basketball' },
  });
  assert.equal(changedMind.error?.status, 409);

  // Gently: each look is one of Mom's requests a minute (RATE_LIMIT_PER_MINUTE).
  const complete = await eventually(
    async () => {
      const { data } = await asMom.GET('/v1/families/{familyId}/questions/current', family);
      return data?.complete ? data : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 250, message: 'the question is complete' },
  );
  assert.deepEqual(complete.answers.map(({ text }) => text).sort(), ['Soccer', '저녁 같이 먹기']);

  const log = await eventually(
    async () => {
      const { data } = await asMom.GET('/v1/families/{familyId}/notifications', family);
      const sent = data?.items.filter(
        (item) => item.deliveries.length === 2 && item.deliveries.every(({ status }) => status === 'sent'),
      );
      return sent?.length === 2 ? sent : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 250, message: 'both pushes sent to both members' },
  );
  assert.deepEqual(log.map(({ kind }) => kind).sort(), ['complete', 'question']);

  // Jun taps the "everyone answered" push: the question its data names, with both answers.
  const tapped = log.find(({ kind }) => kind === 'complete');
  const opened = await asJun.GET('/v1/families/{familyId}/questions/{questionId}', {
    params: { path: { familyId, questionId: tapped?.questionId ?? 'none' } },
  });
  assert.equal(opened.data?.questionId, questionId);
  assert.ok(opened.data?.completedAt, 'complete');
  assert.deepEqual(opened.data?.answers.map(({ text }) => text).sort(), ['Soccer', '저녁 같이 먹기']);

  const removed = await asJun.DELETE('/v1/me/devices/{token}', {
    params: { path: { token: `generated-client-ios-${familyId}` } },
  });
  assert.equal(removed.response.status, 204);
});
