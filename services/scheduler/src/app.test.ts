import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createEvent, newEventId } from '@haru/contracts';
import { createDatabase, migrateToLatest } from '@haru/db';
import { createLogger, createMetrics } from '@haru/observability';
import { serviceApp } from '@haru/runtime';
import { createTestDatabase, freePort } from '@haru/testing';
import { type SchedulerDatabase, schema } from './database.ts';
import { createEventHandler } from './handle-event.ts';
import { migrations } from './migrations/index.ts';
import { schedulerRoutes } from './service.ts';

const token = 'scheduler-api-test-token-0123456789';
const logger = createLogger('scheduler', 'silent');
let databaseUrl: string;
let database: ReturnType<typeof createDatabase<SchedulerDatabase>>;
let app: ReturnType<typeof serviceApp>;
const familyId = crypto.randomUUID();

before(async () => {
  databaseUrl = await createTestDatabase();
  database = createDatabase<SchedulerDatabase>({ url: databaseUrl, schema, poolSize: 2 });
  await migrateToLatest(database.db, schema, migrations);
  app = serviceApp({
    database,
    logger,
    metrics: createMetrics('scheduler'),
    routes: schedulerRoutes(database.db),
    internalApiToken: token,
  });

  const now = new Date('2026-06-01T12:00:00Z'); // 21:00 KST: today's 09:00 has passed
  const id = newEventId();
  const created = createEvent(
    'FamilyCreated',
    familyId,
    {
      name: 'Park',
      timezone: 'Asia/Seoul',
      pushTime: '09:00',
      quietHours: { start: '22:00', end: '08:00' },
      reminderOffsetMinutes: 180,
    },
    { occurredAt: now, correlationId: id, causationId: null },
    id,
  );
  await createEventHandler({ db: database.db, now: () => now, leadMs: 300_000 })(created);
});

after(async () => {
  await database?.close();
});

const getSchedule = (id: string, headers: Record<string, string> = { 'x-haru-service-token': token }) =>
  app.request(`/internal/families/${id}/schedule`, { headers });

describe('GET /internal/families/:familyId/schedule', () => {
  it('when the gateway asks with the service token, then it gets the schedule and the next due instant', async () => {
    const response = await getSchedule(familyId);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {
      familyId,
      timezone: 'Asia/Seoul',
      pushTime: '09:00',
      quietHours: { start: '22:00', end: '08:00' },
      reminderOffsetMinutes: 180,
      nextQuestionDueAt: '2026-06-02T00:00:00.000Z',
    });
  });

  it('when the service token is missing or wrong, then 401 problem and no schedule', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { 'x-haru-service-token': `${token}x` },
      { 'x-haru-service-token': 'short' },
    ];
    for (const headers of attempts) {
      const response = await getSchedule(familyId, headers);
      assert.equal(response.status, 401);
      assert.equal(response.headers.get('content-type'), 'application/problem+json');
      const body = (await response.json()) as Record<string, unknown>;
      assert.equal(body.status, 401);
      assert.equal(body.timezone, undefined);
    }
  });

  it('when the family is unknown or the id is not a UUID, then 404 problem', async () => {
    for (const id of [crypto.randomUUID(), 'not-a-uuid']) {
      const response = await getSchedule(id);
      assert.equal(response.status, 404);
      assert.equal(response.headers.get('content-type'), 'application/problem+json');
      assert.equal(((await response.json()) as { type: string }).type, 'https://haru.app/problems/not-found');
    }
  });
});

describe('health', () => {
  it('when the database answers, then /healthz and /readyz are 200', async () => {
    assert.equal((await app.request('/healthz')).status, 200);
    assert.equal((await app.request('/readyz')).status, 200);
  });

  it('when the database is unreachable, then /readyz is 503 while /healthz stays 200', async () => {
    // A port nobody listens on: connections are refused at once.
    const nowhere = createDatabase<SchedulerDatabase>({
      url: `postgres://haru@127.0.0.1:${await freePort()}/haru`,
      schema,
      poolSize: 1,
    });
    try {
      const unready = serviceApp({
        database: nowhere,
        logger,
        metrics: createMetrics('scheduler'),
        routes: schedulerRoutes(nowhere.db),
        internalApiToken: token,
      });
      assert.equal((await unready.request('/readyz')).status, 503);
      assert.equal((await unready.request('/healthz')).status, 200);
    } finally {
      await nowhere.close();
    }
  });
});
