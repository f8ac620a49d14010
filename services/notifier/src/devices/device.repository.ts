import type { Executor } from '@haru/db';
import type { NotifierDatabase } from '../database.ts';
import type { Platform } from './device.table.ts';

type Db = Executor<NotifierDatabase>;

/**
 * Registers (or refreshes) a token for a uid and activates it. A token registered to
 * another uid moves to this one: the phone changed hands, and the previous owner must
 * not receive the new owner's pushes, nor the other way round.
 */
export async function registerDevice(
  db: Db,
  device: { token: string; uid: string; platform: Platform },
  now: Date,
): Promise<void> {
  await db
    .insertInto('devices')
    .values({ ...device, active: true, last_seen_at: now, updated_at: now })
    .onConflict((conflict) =>
      conflict.column('token').doUpdateSet((eb) => ({
        uid: eb.ref('excluded.uid'),
        platform: eb.ref('excluded.platform'),
        active: true,
        last_seen_at: eb.ref('excluded.last_seen_at'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
}

/** Deactivates a token on its owner's request; someone else's token is left alone. */
export async function unregisterDevice(db: Db, device: { token: string; uid: string }, now: Date): Promise<void> {
  await db
    .updateTable('devices')
    .set({ active: false, updated_at: now })
    .where('token', '=', device.token)
    .where('uid', '=', device.uid)
    .execute();
}

/** Deactivates tokens FCM reported as no longer valid, whoever owns them, in one statement. */
export async function deactivateDevices(db: Db, tokens: readonly string[], now: Date): Promise<void> {
  if (tokens.length === 0) return;
  await db.updateTable('devices').set({ active: false, updated_at: now }).where('token', 'in', tokens).execute();
}
