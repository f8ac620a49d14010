import type { Database } from '@haru/db';
import { HaruError } from '@haru/errors';
import { Hono } from 'hono';
import { z } from 'zod';
import type { NotifierDatabase } from '../database.ts';
import { memberStatuses } from './member-statuses.ts';
import { listFamilyNotifications } from './notification.repository.ts';

const familyId = z.uuid();

/** The newest notifications a family's log shows. */
const logLength = 50;

/** A family's delivery log. The gateway has checked that the caller belongs to the family. */
export function notificationRoutes({ database, clock }: { database: Database<NotifierDatabase>; clock: () => Date }) {
  return new Hono().get('/:familyId/notifications', async (c) => {
    const family = familyId.safeParse(c.req.param('familyId'));
    if (!family.success) throw new HaruError('not-found', 'no such family');
    const notifications = await listFamilyNotifications(database.db, family.data, { now: clock(), limit: logLength });
    return c.json({
      items: notifications.map((notification) => ({
        notificationId: notification.notificationId,
        kind: notification.kind,
        questionId: notification.questionId,
        createdAt: notification.createdAt.toISOString(),
        dueAt: notification.dueAt.toISOString(),
        deliveries: memberStatuses(notification.deliveries),
      })),
    });
  });
}
