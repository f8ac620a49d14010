import type { MigrationSet } from '@haru/db';
import { messagingMigrations } from '@haru/messaging';
import * as recipientsDevicesNotifications from './2026-11-25T01.00-recipients-devices-notifications.ts';
import * as deliveryRetrySchedule from './2026-11-25T02.00-delivery-retry-schedule.ts';
import * as dueDeliveries from './2026-12-03T01.00-due-deliveries.ts';
import * as questionInstants from './2026-12-03T02.00-question-instants.ts';
import * as memberPreferences from './2026-12-05T01.00-member-preferences.ts';
import * as erasedRecipients from './2026-12-08T01.00-erased-recipients.ts';
import * as reportedNotifications from './2026-12-09T01.00-reported-notifications.ts';
import * as devicesByUid from './2026-12-09T02.00-devices-by-uid.ts';
import * as deliveriesWithoutPendingIndex from './2026-12-10T01.00-deliveries-without-pending-index.ts';
import * as deliveryLeases from './2026-12-11T01.00-delivery-leases.ts';
import * as deliveriesWithoutMemberIndex from './2026-12-12T01.00-deliveries-without-member-index.ts';
import * as answers from './2026-12-13T01.00-answers.ts';
import * as questionsByInstant from './2026-12-13T02.00-questions-by-instant.ts';

/** Every migration of the notifier's schema, the shared outbox and inbox first. */
export const migrations: MigrationSet = {
  ...messagingMigrations,
  '2026-11-25T01.00-recipients-devices-notifications': recipientsDevicesNotifications,
  '2026-11-25T02.00-delivery-retry-schedule': deliveryRetrySchedule,
  '2026-12-03T01.00-due-deliveries': dueDeliveries,
  '2026-12-03T02.00-question-instants': questionInstants,
  '2026-12-05T01.00-member-preferences': memberPreferences,
  '2026-12-08T01.00-erased-recipients': erasedRecipients,
  '2026-12-09T01.00-reported-notifications': reportedNotifications,
  '2026-12-09T02.00-devices-by-uid': devicesByUid,
  '2026-12-10T01.00-deliveries-without-pending-index': deliveriesWithoutPendingIndex,
  '2026-12-11T01.00-delivery-leases': deliveryLeases,
  '2026-12-12T01.00-deliveries-without-member-index': deliveriesWithoutMemberIndex,
  '2026-12-13T01.00-answers': answers,
  '2026-12-13T02.00-questions-by-instant': questionsByInstant,
};
