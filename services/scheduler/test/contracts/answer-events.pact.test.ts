import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createEvent } from '@haru/contracts';
import { createDatabase, type Database, migrateToLatest } from '@haru/db';
import { createTestDatabase } from '@haru/testing';
import { acceptAtEdge, eventPact, examples } from '../../../../contracts/support/event-messages.ts';
import { type SchedulerDatabase, schema } from '../../src/database.ts';
import { createEventHandler } from '../../src/handle-event.ts';
import { migrations } from '../../src/migrations/index.ts';
import { schedulerRoutes } from '../../src/service.ts';

// What the scheduler expects of the answer service's events (contracts/scheduler-answer.json),
// each interaction checked by running the scheduler's own edge and handler on its example.
const pact = eventPact('scheduler', 'answer');
let database: Database<SchedulerDatabase>;
let handle: ReturnType<typeof createEventHandler>;

before(async () => {
  database = createDatabase<SchedulerDatabase>({ url: await createTestDatabase(), schema, poolSize: 2 });
  await migrateToLatest(database.db, schema, migrations);
  handle = createEventHandler({ db: database.db, now: () => new Date('2026-11-25T12:00:00Z'), leadMs: 300_000 });
});
after(() => database?.close());

const handled = async (eventId: string) =>
  Boolean(
    await database.db.selectFrom('inbox').select('message_id').where('message_id', '=', eventId).executeTakeFirst(),
  );

/** The family's schedule as the scheduler's own API reports it. */
const scheduleOf = async (familyId: string) => {
  const response = await schedulerRoutes(database.db).request(`/families/${familyId}/schedule`);
  assert.equal(response.status, 200);
  const { timezone, pushTime, quietHours } = (await response.json()) as Record<string, unknown>;
  return { timezone, pushTime, quietHours };
};

describe('the scheduler as a consumer of the answer service', () => {
  it('when FamilyCreated arrives, then the family’s schedule is the event’s', () =>
    pact.expect('FamilyCreated').executeTest(async (message) => {
      const event = acceptAtEdge(message);
      assert.equal(event.type, 'FamilyCreated');

      await handle(event);

      const { timezone, pushTime, quietHours } = event.data;
      assert.deepEqual(await scheduleOf(event.familyId), { timezone, pushTime, quietHours });
    }));

  it('when ScheduleChanged arrives after the family was created, then the schedule is the changed one', async () => {
    const created = createEvent(
      'FamilyCreated',
      examples.familyId,
      { name: 'Parks', timezone: 'Europe/London', pushTime: '07:00', quietHours: null, reminderOffsetMinutes: 180 },
      { occurredAt: new Date('2026-11-01T00:00:00Z'), correlationId: 'given', causationId: null },
    );
    await handle(created);

    await pact.expect('ScheduleChanged').executeTest(async (message) => {
      const event = acceptAtEdge(message);
      assert.equal(event.type, 'ScheduleChanged');

      await handle(event);

      const { timezone, pushTime, quietHours } = event.data;
      assert.deepEqual(await scheduleOf(event.familyId), { timezone, pushTime, quietHours });
    });
  });

  for (const type of ['QuestionOpened', 'QuestionRescheduled'] as const) {
    it(`when ${type} arrives, then the scheduler handles it once`, () =>
      pact.expect(type).executeTest(async (message) => {
        const event = acceptAtEdge(message);

        await handle(event);

        assert.ok(await handled(event.id));
      }));
  }

  it('when every interaction has run, then they cover the topology and equal the committed pact', () =>
    pact.coversTopologyAndMatchesCommittedPact());
});
