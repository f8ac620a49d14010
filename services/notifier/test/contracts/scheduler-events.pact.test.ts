import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { acceptAtEdge, eventPact } from '../../../../contracts/support/event-messages.ts';
import { notifierRoutes } from '../../src/service.ts';
import { createTestHandler, type TestHandler } from '../support/create-test-handler.ts';

// What the notifier expects of the scheduler's events (contracts/notifier-scheduler.json),
// each interaction checked by running the notifier's own edge and handler on its example.
const pact = eventPact('notifier', 'scheduler');
let notifier: TestHandler;

before(async () => {
  notifier = await createTestHandler();
});
after(() => notifier?.close());

const loggedNotifications = async (familyId: string) => {
  const response = await notifierRoutes({ database: notifier.database, clock: () => new Date() }).request(
    `/families/${familyId}/notifications`,
  );
  return ((await response.json()) as { items: Array<{ kind: string; questionId: string }> }).items;
};

describe('the notifier as a consumer of the scheduler', () => {
  it('when DueAndComplete arrives, then the family’s "everyone answered" notification is logged', () =>
    pact.expect('DueAndComplete').executeTest(async (message) => {
      const event = acceptAtEdge(message);
      assert.equal(event.type, 'DueAndComplete');

      await notifier.handle(event);

      const items = await loggedNotifications(event.familyId);
      assert.ok(items.some((item) => item.kind === 'complete' && item.questionId === event.data.questionId));
    }));

  it('when ReminderDue arrives, then the family’s reminder notification is logged', () =>
    pact.expect('ReminderDue').executeTest(async (message) => {
      const event = acceptAtEdge(message);
      assert.equal(event.type, 'ReminderDue');

      await notifier.handle(event);

      const items = await loggedNotifications(event.familyId);
      assert.ok(items.some((item) => item.kind === 'reminder' && item.questionId === event.data.questionId));
    }));

  it('when every interaction has run, then they cover the topology and equal the committed pact', () =>
    pact.coversTopologyAndMatchesCommittedPact());
});
