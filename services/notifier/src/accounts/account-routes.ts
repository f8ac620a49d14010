import type { Database } from '@haru/db';
import { jsonBody, requireCaller } from '@haru/http';
import { Hono } from 'hono';
import { z } from 'zod';
import type { NotifierDatabase } from '../database.ts';
import { eraseAccount, exportAccount } from './account.repository.ts';

const erasure = z.strictObject({
  /** The memberships the answer service erased: tombstones even for joins not yet arrived. */
  members: z.array(z.strictObject({ familyId: z.uuid(), memberId: z.uuid() })).max(10_000),
});

/**
 * The caller's account: what the notifier holds of it (export) and its erasure. The gateway
 * has authenticated the caller and names them in `x-haru-uid`.
 */
export function accountRoutes({ database, clock }: { database: Database<NotifierDatabase>; clock: () => Date }) {
  return new Hono()
    .use(requireCaller())
    .post('/me/erasure', jsonBody(erasure), async (c) => {
      const { members } = c.req.valid('json');
      await database.db.transaction().execute((trx) => eraseAccount(trx, { uid: c.get('uid'), members }, clock()));
      return c.body(null, 204);
    })
    .get('/me/export', async (c) => {
      const { devices, deliveries } = await exportAccount(database.db, c.get('uid'));
      return c.json({
        devices: devices.map((device) => ({ ...device, lastSeenAt: device.lastSeenAt.toISOString() })),
        deliveries: deliveries.map((delivery) => ({
          ...delivery,
          dueAt: delivery.dueAt.toISOString(),
          updatedAt: delivery.updatedAt.toISOString(),
        })),
      });
    });
}
