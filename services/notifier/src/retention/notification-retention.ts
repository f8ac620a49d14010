import { type RetentionStep, rowsOlderThan } from '@haru/runtime';

/**
 * A push, with its deliveries (removed by the foreign key's cascade), once it was reported
 * (NotificationSent emitted) longer ago than the retention period and none of its
 * deliveries is pending. A pending push is never removed, however old. A hundred pushes a
 * batch: each takes a delivery per device of its family with it.
 */
export const notificationRetention: RetentionStep = {
  ...rowsOlderThan(
    'notifications',
    'reported_at',
    `not exists (select from deliveries d
      where d.notification_id = notifications.notification_id and d.status = 'pending')`,
  ),
  batchSize: 100,
};
