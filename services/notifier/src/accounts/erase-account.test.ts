import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Database } from '@haru/db';
import { migratedTestDatabase } from '../../test/support/migrated-test-database.ts';
import { race, type Work } from '../../test/support/race.ts';
import type { NotifierDatabase } from '../database.ts';
import { registerDevice } from '../devices/device.repository.ts';
import { addDeliveriesToPreparedPushes } from '../notifications/delivery.repository.ts';
import { prepareNotification } from '../notifications/notification.repository.ts';
import { recordMemberJoined } from '../recipients/recipient.repository.ts';
import { eraseAccount } from './account.repository.ts';

// An account erased while deliveries to its family are being written (the "everyone answered"
// push of the member's last answer prepared, a phone registered within a push's lead):
// whichever transaction commits first, no delivery and no device keeps the erased member's token.

describe('an erasure racing deliveries being written', () => {
  let database: Database<NotifierDatabase>;
  before(async () => {
    ({ database } = await migratedTestDatabase());
  });
  after(() => database?.close());

  /** A family of two, each with a phone; the second member is the one whose account goes. */
  async function family() {
    const familyId = randomUUID();
    const [parent, child] = [randomUUID(), randomUUID()];
    const now = new Date();
    for (const memberId of [parent, child]) {
      await recordMemberJoined(database.db, { familyId, memberId, uid: `uid-${memberId}`, locale: 'en' }, now);
      await registerDevice(database.db, { token: `phone-${memberId}`, uid: `uid-${memberId}`, platform: 'ios' }, now);
    }
    const erase: Work = (trx) =>
      eraseAccount(trx, { uid: `uid-${child}`, members: [{ familyId, memberId: child }] }, new Date());
    return { familyId, parentToken: `phone-${parent}`, child: { uid: `uid-${child}`, token: `phone-${child}` }, erase };
  }

  /** The family's push, due within the lead: `dueAt` ahead, so that phones registered now join it. */
  const prepare =
    (familyId: string, dueAt: Date): Work =>
    (trx) =>
      prepareNotification(
        trx,
        {
          notificationId: randomUUID(),
          familyId,
          questionId: randomUUID(),
          kind: 'complete',
          memberIds: null,
          dueAt,
          cause: { id: randomUUID(), correlationId: randomUUID() },
        },
        new Date(),
      );

  /** `first` held open until `second`, in a transaction of its own, waits on a lock or is done. */
  const raceOf = (first: Work, second: Work) => race(database, first, () => database.db.transaction().execute(second));

  const tokensDelivered = async (familyId: string) =>
    (
      await database.db
        .selectFrom('deliveries')
        .innerJoin('notifications', 'notifications.notification_id', 'deliveries.notification_id')
        .select('deliveries.token')
        .where('notifications.family_id', '=', familyId)
        .execute()
    ).map((delivery) => delivery.token);

  it('when the erasure has begun as the push is prepared, then the push skips the member once the erasure commits', async () => {
    const { familyId, parentToken, erase } = await family();
    await raceOf(erase, prepare(familyId, new Date()));

    assert.deepEqual(await tokensDelivered(familyId), [parentToken]);
  });

  it('when the push is being prepared as the erasure begins, then the erasure renames its delivery once it commits', async () => {
    const { familyId, parentToken, erase } = await family();
    await raceOf(prepare(familyId, new Date()), erase);

    const tokens = await tokensDelivered(familyId);
    assert.equal(tokens.length, 2, 'the push was prepared for both phones');
    assert.deepEqual(
      tokens.filter((token) => !token.startsWith('erased:')),
      [parentToken],
    );
  });

  it('when a phone is being registered within the lead as the erasure begins, then the erasure renames its delivery and removes the phone', async () => {
    const { familyId, parentToken, child, erase } = await family();
    await database.db.transaction().execute(prepare(familyId, new Date(Date.now() + 60_000)));
    const tablet = `tablet-${randomUUID()}`;
    const register: Work = async (trx) => {
      await registerDevice(trx, { token: tablet, uid: child.uid, platform: 'android' }, new Date());
      await addDeliveriesToPreparedPushes(trx, { uid: child.uid, token: tablet }, new Date());
    };
    await raceOf(register, erase);

    const tokens = await tokensDelivered(familyId);
    assert.equal(tokens.length, 3, 'the push was prepared for both phones, and the tablet added to it');
    assert.deepEqual(
      tokens.filter((token) => !token.startsWith('erased:')),
      [parentToken],
    );
    const devices = await database.db.selectFrom('devices').select('token').where('uid', '=', child.uid).execute();
    assert.deepEqual(devices, []);
  });
});
