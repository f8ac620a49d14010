import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Database } from '@haru/db';
import { eventually } from '@haru/testing';
import { sql } from 'kysely';
import { migratedTestDatabase } from '../../test/support/migrated-test-database.ts';
import type { NotifierDatabase } from '../database.ts';
import { registerDevice } from '../devices/device.repository.ts';
import { prepareNotification } from '../notifications/notification.repository.ts';
import { recordMemberJoined } from '../recipients/recipient.repository.ts';
import { eraseAccount } from './account.repository.ts';

// An account erased while a push to its family is being prepared (the "everyone answered"
// push of the member's last answer, say): whichever transaction commits first, no delivery
// keeps the erased member's token.

describe('an erasure racing a push being prepared', () => {
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
    for (const [memberId, uid] of [
      [parent, `uid-${parent}`],
      [child, `uid-${child}`],
    ] as const) {
      await recordMemberJoined(database.db, { familyId, memberId, uid, locale: 'en' }, now);
      await registerDevice(database.db, { token: `phone-${memberId}`, uid, platform: 'ios' }, now);
    }
    return { familyId, parentToken: `phone-${parent}`, child: { uid: `uid-${child}`, memberId: child } };
  }

  const prepare = (trx: Parameters<typeof prepareNotification>[0], familyId: string) => {
    const notificationId = randomUUID();
    return prepareNotification(
      trx,
      {
        notificationId,
        familyId,
        questionId: randomUUID(),
        kind: 'complete',
        memberIds: null,
        dueAt: new Date(),
        cause: { id: randomUUID(), correlationId: randomUUID() },
      },
      new Date(),
    );
  };

  const tokensDelivered = async (familyId: string) =>
    (
      await database.db
        .selectFrom('deliveries')
        .innerJoin('notifications', 'notifications.notification_id', 'deliveries.notification_id')
        .select('deliveries.token')
        .where('notifications.family_id', '=', familyId)
        .execute()
    ).map((delivery) => delivery.token);

  /** Resolves once another session waits on a row lock, or once `settled` has settled. */
  const waitingOnALockOr = async (settled: Promise<unknown>) => {
    let done = false;
    void settled.finally(() => {
      done = true;
    });
    await eventually(
      async () => {
        if (done) return true;
        const { rows } = await sql<{ waiting: number }>`
          select count(*)::int as waiting from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'`.execute(database.db);
        return (rows[0]?.waiting ?? 0) > 0;
      },
      { message: 'the second transaction is waiting or done' },
    );
  };

  it('when the erasure has begun as the push is prepared, then the push skips the member once the erasure commits', async () => {
    const { familyId, parentToken, child } = await family();
    const commit = Promise.withResolvers<void>();
    const begun = Promise.withResolvers<void>();
    const erasure = database.db.transaction().execute(async (trx) => {
      await eraseAccount(trx, { uid: child.uid, members: [{ familyId, memberId: child.memberId }] }, new Date());
      begun.resolve();
      await commit.promise;
    });
    await begun.promise;
    const prepared = database.db.transaction().execute((trx) => prepare(trx, familyId));
    await waitingOnALockOr(prepared);
    commit.resolve();
    await Promise.all([erasure, prepared]);

    assert.deepEqual(await tokensDelivered(familyId), [parentToken]);
  });

  it('when the push is being prepared as the erasure begins, then the erasure renames its delivery once it commits', async () => {
    const { familyId, parentToken, child } = await family();
    const commit = Promise.withResolvers<void>();
    const begun = Promise.withResolvers<void>();
    const prepared = database.db.transaction().execute(async (trx) => {
      await prepare(trx, familyId);
      begun.resolve();
      await commit.promise;
    });
    await begun.promise;
    const erasure = database.db
      .transaction()
      .execute((trx) =>
        eraseAccount(trx, { uid: child.uid, members: [{ familyId, memberId: child.memberId }] }, new Date()),
      );
    await waitingOnALockOr(erasure);
    commit.resolve();
    await Promise.all([erasure, prepared]);

    const tokens = await tokensDelivered(familyId);
    assert.equal(tokens.length, 2, 'the push was prepared for both phones');
    assert.deepEqual(
      tokens.filter((token) => !token.startsWith('erased:')),
      [parentToken],
    );
  });
});
