import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { EventOf } from '@haru/contracts';
import { fcmMessages } from '@haru/testing';
import { createTestHandler, type TestHandler } from '../../test/support/create-test-handler.ts';
import { questionOpened, questionText, testEvent, testToken } from '../../test/support/test-events.ts';
import type { Locale, MutableKind } from './recipient.table.ts';

// A member's locale and muted kinds, from MemberPreferencesChanged, as the pushes show them.

const kindsTo = async (token: string) =>
  (await fcmMessages())
    .filter((received) => received.message.token === token)
    .map((received) => (received.message.data as { kind: string }).kind);
const bodiesTo = async (token: string) =>
  (await fcmMessages())
    .filter((received) => received.message.token === token)
    .map((received) => (received.message.notification as { body: string }).body);

describe('member preferences in the pushes', () => {
  let handler: TestHandler;
  before(async () => {
    handler = await createTestHandler();
  });
  after(() => handler?.close());

  const joined = (familyId: string, memberId: string, uid: string, locale: Locale = 'ko') =>
    testEvent('MemberJoined', familyId, { memberId, uid, role: 'child', displayName: 'Jun', locale });
  const changed = (
    familyId: string,
    memberId: string,
    preferences: { locale: Locale; mutedKinds: MutableKind[] },
    occurredAt = new Date(),
  ): EventOf<'MemberPreferencesChanged'> => ({
    ...testEvent('MemberPreferencesChanged', familyId, { memberId, ...preferences }),
    occurredAt: occurredAt.toISOString(),
  });

  /** A family of two members with a device each; the second is the one whose preferences change. */
  async function family() {
    const familyId = randomUUID();
    const [other, member] = [randomUUID(), randomUUID()];
    const [otherToken, token] = [testToken(), testToken()];
    await handler.handle(joined(familyId, other, `uid-${other}`));
    await handler.handle(joined(familyId, member, `uid-${member}`));
    await handler.registerDevice(`uid-${other}`, otherToken);
    await handler.registerDevice(`uid-${member}`, token);
    return { familyId, member, token, otherToken, both: [other, member] };
  }

  it('when a member mutes reminders and "everyone answered", then they still get the question, and the others get everything', async () => {
    const { familyId, member, token, otherToken, both } = await family();
    await handler.handle(changed(familyId, member, { locale: 'ko', mutedKinds: ['reminder', 'complete'] }));

    const opened = questionOpened(familyId);
    const { questionId } = opened.data;
    const dueAt = new Date().toISOString();
    await handler.handle(opened);
    await handler.handle(testEvent('ReminderDue', familyId, { questionId, memberIds: both, dueAt }));
    await handler.handle(testEvent('DueAndComplete', familyId, { questionId, dueAt }));
    await handler.send();

    assert.deepEqual(await kindsTo(token), ['question']);
    assert.deepEqual((await kindsTo(otherToken)).sort(), ['complete', 'question', 'reminder']);
  });

  it('when a member changes their language, then the next push is in it', async () => {
    const { familyId, member, token } = await family();
    await handler.handle(changed(familyId, member, { locale: 'en', mutedKinds: [] }));
    await handler.handle(questionOpened(familyId));
    await handler.send();
    assert.deepEqual(await bodiesTo(token), [questionText.en]);
  });

  it('when a member who muted a kind joins within the lead, then no delivery of that kind is added for them', async () => {
    const familyId = randomUUID();
    const member = randomUUID();
    const token = testToken();
    const dueAt = new Date(Date.now() + 60 * 60_000).toISOString();
    await handler.handle(testEvent('DueAndComplete', familyId, { questionId: randomUUID(), dueAt }));
    // Preferences first, then the join (out of order): the join neither unmutes nor resets the locale.
    await handler.handle(changed(familyId, member, { locale: 'en', mutedKinds: ['complete'] }));
    await handler.registerDevice(`uid-${member}`, token);
    await handler.handle(joined(familyId, member, `uid-${member}`, 'ko'));

    const deliveries = await handler.database.db
      .selectFrom('deliveries')
      .select('token')
      .where('token', '=', token)
      .execute();
    assert.deepEqual(deliveries, []);
    const recipient = await handler.database.db
      .selectFrom('recipients')
      .select(['locale', 'muted_kinds', 'active'])
      .where('family_id', '=', familyId)
      .where('member_id', '=', member)
      .executeTakeFirst();
    assert.deepEqual(recipient, { locale: 'en', muted_kinds: ['complete'], active: true });
  });

  it('when an older change arrives after a newer one, or one arrives twice, then the newer stays', async () => {
    const { familyId, member } = await family();
    const newer = changed(familyId, member, { locale: 'en', mutedKinds: ['reminder'] }, new Date());
    const older = changed(familyId, member, { locale: 'ko', mutedKinds: [] }, new Date(Date.now() - 60_000));
    await handler.handle(newer);
    await handler.handle(older);
    await handler.handle(newer);
    const recipient = await handler.database.db
      .selectFrom('recipients')
      .select(['locale', 'muted_kinds'])
      .where('family_id', '=', familyId)
      .where('member_id', '=', member)
      .executeTakeFirst();
    assert.deepEqual(recipient, { locale: 'en', muted_kinds: ['reminder'] });
  });
});
