import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Database } from '@haru/db';
import { migratedTestDatabase } from '../../test/support/migrated-test-database.ts';
import { testEvent } from '../../test/support/test-events.ts';
import type { NotifierDatabase } from '../database.ts';
import { handleMemberEvent } from './handle-member-event.ts';

describe('keeping recipients from member events', () => {
  let database: Database<NotifierDatabase>;
  before(async () => {
    ({ database } = await migratedTestDatabase());
  });
  after(() => database?.close());

  const recipient = (familyId: string, memberId: string) =>
    database.db
      .selectFrom('recipients')
      .select(['uid', 'locale', 'active', 'left'])
      .where('family_id', '=', familyId)
      .where('member_id', '=', memberId)
      .execute();
  const joined = (familyId: string, memberId: string) =>
    testEvent('MemberJoined', familyId, { memberId, uid: 'uid-1', role: 'child', displayName: 'k', locale: 'en' });

  it('when a member joins, twice over, then they are one active recipient with their uid and locale', async () => {
    const [familyId, memberId] = [randomUUID(), randomUUID()];
    const event = joined(familyId, memberId);
    await handleMemberEvent(database.db, event, new Date());
    await handleMemberEvent(database.db, event, new Date());
    assert.deepEqual(await recipient(familyId, memberId), [{ uid: 'uid-1', locale: 'en', active: true, left: false }]);
  });

  it('when MemberLeft arrives before its MemberJoined, then the member ends inactive', async () => {
    const [familyId, memberId] = [randomUUID(), randomUUID()];
    await handleMemberEvent(database.db, testEvent('MemberLeft', familyId, { memberId }), new Date());
    await handleMemberEvent(database.db, joined(familyId, memberId), new Date());
    assert.deepEqual(await recipient(familyId, memberId), [{ uid: 'uid-1', locale: 'en', active: false, left: true }]);
  });

  it('when a member leaves after joining, then they are inactive', async () => {
    const [familyId, memberId] = [randomUUID(), randomUUID()];
    await handleMemberEvent(database.db, joined(familyId, memberId), new Date());
    await handleMemberEvent(database.db, testEvent('MemberLeft', familyId, { memberId }), new Date());
    assert.deepEqual(await recipient(familyId, memberId), [{ uid: 'uid-1', locale: 'en', active: false, left: true }]);
  });
});
