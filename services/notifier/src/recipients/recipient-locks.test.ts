import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Database } from '@haru/db';
import { serviceTokenHeader } from '@haru/http';
import { migratedTestDatabase } from '../../test/support/migrated-test-database.ts';
import { notifierTestApp } from '../../test/support/notifier-test-app.ts';
import { race, type Work } from '../../test/support/race.ts';
import { testEvent, testToken } from '../../test/support/test-events.ts';
import type { NotifierDatabase } from '../database.ts';
import { registerDevice } from '../devices/device.repository.ts';
import { prepareNotification } from '../notifications/notification.repository.ts';
import { handleMemberEvent } from './handle-member-event.ts';
import { recordMemberJoined } from './recipient.repository.ts';

// A family's push being prepared while a member's phone is registered, or while a member
// joins: whichever commits first, the push goes to the phone.

const apiToken = 'recipient-locks-test-token';

describe('a push being prepared while its recipients change', () => {
  let database: Database<NotifierDatabase>;
  let app: ReturnType<typeof notifierTestApp>;
  before(async () => {
    ({ database } = await migratedTestDatabase());
    app = notifierTestApp(database, { internalApiToken: apiToken });
  });
  after(() => database?.close());

  /** The family's question push, due in five minutes (within the lead). */
  const prepare =
    (familyId: string, notificationId: string): Work =>
    (trx) =>
      prepareNotification(
        trx,
        {
          notificationId,
          familyId,
          questionId: randomUUID(),
          kind: 'question',
          memberIds: null,
          dueAt: new Date(Date.now() + 300_000),
          cause: { id: randomUUID(), correlationId: randomUUID() },
        },
        new Date(),
      );

  const tokensOf = async (notificationId: string) =>
    (
      await database.db
        .selectFrom('deliveries')
        .select('token')
        .where('notification_id', '=', notificationId)
        .orderBy('token')
        .execute()
    ).map((delivery) => delivery.token);

  it('when a phone is registered while its family’s push is being prepared, then the push goes to it', async () => {
    const [familyId, memberId, notificationId, phone] = [randomUUID(), randomUUID(), randomUUID(), testToken()];
    await recordMemberJoined(database.db, { familyId, memberId, uid: `uid-${memberId}`, locale: 'en' }, new Date());

    await race(database, prepare(familyId, notificationId), async () => {
      const registered = await app.request(`/internal/devices/${phone}`, {
        method: 'PUT',
        headers: { [serviceTokenHeader]: apiToken, 'content-type': 'application/json' },
        body: JSON.stringify({ uid: `uid-${memberId}`, platform: 'android' }),
      });
      assert.equal(registered.status, 204);
    });

    assert.deepEqual(await tokensOf(notificationId), [phone]);
  });

  it('when a member joins while their family’s push is being prepared, then the push goes to their phone', async () => {
    const [familyId, memberId, notificationId, phone] = [randomUUID(), randomUUID(), randomUUID(), testToken()];
    await registerDevice(database.db, { token: phone, uid: `uid-${memberId}`, platform: 'ios' }, new Date());
    const joined = testEvent('MemberJoined', familyId, {
      memberId,
      uid: `uid-${memberId}`,
      role: 'child',
      displayName: 'Min',
      locale: 'en',
    });

    await race(database, prepare(familyId, notificationId), () => handleMemberEvent(database.db, joined, new Date()));

    assert.deepEqual(await tokensOf(notificationId), [phone]);
  });
});
