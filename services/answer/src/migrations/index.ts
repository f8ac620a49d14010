import type { MigrationSet } from '@haru/db';
import { messagingMigrations } from '@haru/messaging';
import * as eventStore from './2026-11-25T01.00-event-store.ts';
import * as idempotencyKeys from './2026-11-25T01.10-idempotency-keys.ts';
import * as eventFeedOrder from './2026-11-25T02.00-event-feed-order.ts';
import * as streamStates from './2026-12-03T13.00-stream-states.ts';
import * as personalKeys from './2026-12-08T01.00-personal-keys.ts';
import * as questionCatalogue from './2026-12-08T02.00-question-catalogue.ts';

export const migrations: MigrationSet = {
  ...messagingMigrations,
  '2026-11-25T01.00-event-store': eventStore,
  '2026-11-25T01.10-idempotency-keys': idempotencyKeys,
  '2026-11-25T02.00-event-feed-order': eventFeedOrder,
  '2026-12-03T13.00-stream-states': streamStates,
  '2026-12-08T01.00-personal-keys': personalKeys,
  '2026-12-08T02.00-question-catalogue': questionCatalogue,
};
