import { isStorable } from '@haru/contracts';
import type { Database } from '@haru/db';
import { HaruError } from '@haru/errors';
import { jsonBody } from '@haru/http';
import { Hono } from 'hono';
import { z } from 'zod';
import type { NotifierDatabase } from '../database.ts';
import { addDeliveriesToPreparedPushes } from '../notifications/delivery.repository.ts';
import { lockAccountRecipients } from '../recipients/recipient-locks.ts';
import { registerDevice, unregisterDevice } from './device.repository.ts';

// FCM registration tokens are opaque and about 150–200 characters; the bound and the
// check that PostgreSQL can store the text only keep garbage out of the primary key.
const token = z.string().min(1).max(4096).refine(isStorable);
const uid = z.string().min(1).max(128).refine(isStorable);

const registration = z.strictObject({ uid, platform: z.enum(['android', 'ios', 'web']) });

/**
 * The caller's devices. The gateway has authenticated the caller and passes their uid;
 * a device belongs to a uid, not to a family, so one phone gets every family's pushes.
 */
export function deviceRoutes({ database, clock }: { database: Database<NotifierDatabase>; clock: () => Date }) {
  return new Hono()
    .put('/:token', jsonBody(registration), async (c) => {
      const deviceToken = parseToken(c.req.param('token'));
      const body = c.req.valid('json');
      const now = clock();
      // A device registered before a prepared push's instant gets it too, also one being
      // prepared right now (see recipient-locks.ts).
      await database.db.transaction().execute(async (trx) => {
        await lockAccountRecipients(trx, body.uid);
        await registerDevice(trx, { token: deviceToken, ...body }, now);
        await addDeliveriesToPreparedPushes(trx, { uid: body.uid, token: deviceToken }, now);
      });
      return c.body(null, 204);
    })
    .delete('/:token', async (c) => {
      const deviceToken = parseToken(c.req.param('token'));
      const owner = uid.safeParse(c.req.query('uid'));
      if (!owner.success) throw new HaruError('invalid', 'the uid query parameter names the device owner');
      await unregisterDevice(database.db, { token: deviceToken, uid: owner.data }, clock());
      return c.body(null, 204);
    });
}

const parseToken = (value: string): string => {
  const parsed = token.safeParse(value);
  if (!parsed.success) throw new HaruError('invalid', 'the device token must be 1–4096 characters');
  return parsed.data;
};
