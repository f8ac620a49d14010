import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createEvent, type DomainEvent, type EventOf } from '@haru/contracts';
import { createDatabase, type Database, migrateToLatest } from '@haru/db';
import { createLogger } from '@haru/observability';
import { createTestDatabase, internalApi, planWithoutSeqScans, statementsOf } from '@haru/testing';
import { notifierTestApp } from '../../test/support/notifier-test-app.ts';
import { type NotifierDatabase, schema } from '../database.ts';
import { createEventHandler } from '../handle-event.ts';
import { migrations } from '../migrations/index.ts';
import { exportAccount } from './account.repository.ts';

// A member of a year, as the notifier sees them: two devices registered through its API and a
// push prepared for each day's question by its own event handler; then the export's content
// and its cost, counted in statements and read from their plans.

const token = 'notifier-export-test-token-0123456789';
const logger = createLogger('notifier', 'silent');
const clock = () => new Date();
const days = 365;
const firstDay = Date.parse('2025-12-01T11:00:00Z');
const dayOf = (day: number) => new Date(firstDay + day * 86_400_000);
let database: Database<NotifierDatabase>;
let app: ReturnType<typeof notifierTestApp>;
let handle: (event: DomainEvent) => Promise<void>;

before(async () => {
  database = createDatabase<NotifierDatabase>({ url: await createTestDatabase(), schema, poolSize: 4 });
  await migrateToLatest(database.db, schema, migrations);
  app = notifierTestApp(database, { internalApiToken: token, clock });
  handle = createEventHandler({ db: database.db, logger, clock, wake: () => {} });
});
after(() => database?.close());

/** Calls the internal API as the gateway does; fails the test unless the call succeeds. */
const call = async (uid: string | null, method: string, path: string, body?: unknown) => {
  const response = await internalApi((url, init) => app.request(url, init), token)(uid, method, path, body);
  assert.ok(response.status < 300, `${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
};

const event = <Type extends 'MemberJoined' | 'QuestionOpened'>(
  familyId: string,
  type: Type,
  data: EventOf<Type>['data'],
  at: Date,
) => createEvent(type, familyId, data, { occurredAt: at, correlationId: crypto.randomUUID(), causationId: null });

/** A family of two whose members each have devices, and `length` days of questions. */
async function familyOf(length: number, uids: { member: string; other: string }, tokens: string[]) {
  const familyId = crypto.randomUUID();
  const member = crypto.randomUUID();
  const other = crypto.randomUUID();
  for (const [index, device] of tokens.entries()) {
    await call(null, 'PUT', `/devices/${device}`, { uid: uids.member, platform: index === 0 ? 'ios' : 'android' });
  }
  await call(null, 'PUT', `/devices/${uids.other}-phone`, { uid: uids.other, platform: 'android' });
  const joined = (memberId: string, uid: string, role: 'parent' | 'child') =>
    event(familyId, 'MemberJoined', { memberId, uid, role, displayName: uid, locale: 'en' }, dayOf(-1));
  await handle(joined(other, uids.other, 'parent'));
  await handle(joined(member, uids.member, 'child'));
  for (let day = 0; day < length; day++) {
    const openedAt = dayOf(day);
    await handle(
      event(
        familyId,
        'QuestionOpened',
        {
          questionId: crypto.randomUUID(),
          localDate: openedAt.toISOString().slice(0, 10),
          text: { ko: `질문 ${day}`, en: `Question ${day}` },
          openedAt: openedAt.toISOString(),
          requiredMemberIds: [member, other],
        },
        openedAt,
      ),
    );
  }
  return { familyId, member };
}

const uids = { member: 'uid-notifier-export-min', other: 'uid-notifier-export-mum' };
const tokens = ['min-ios-token', 'min-android-token'];
let year: { familyId: string; member: string };

describe('the notifier’s export of a member with a year of pushes', () => {
  before(async () => {
    year = await familyOf(days, uids, tokens);
    await database.pool.query('analyze');
  });

  it('when exported, then it has their devices and a delivery record per device and day, none of another member’s', async () => {
    const exported = await call(uids.member, 'GET', '/accounts/me/export');

    assert.deepEqual(
      exported.devices.map((device: { token: string; platform: string; active: boolean }) => [
        device.token,
        device.platform,
        device.active,
      ]),
      [
        ['min-ios-token', 'ios', true],
        ['min-android-token', 'android', true],
      ],
    );
    assert.equal(exported.deliveries.length, days * tokens.length);
    for (const delivery of exported.deliveries) {
      assert.equal(delivery.familyId, year.familyId);
      assert.equal(delivery.memberId, year.member);
      assert.equal(delivery.kind, 'question');
      assert.ok(tokens.includes(delivery.token), delivery.token);
    }
    const instants = [...new Set(exported.deliveries.map((delivery: { dueAt: string }) => delivery.dueAt))];
    assert.deepEqual(
      instants,
      Array.from({ length: days }, (_, day) => dayOf(day).toISOString()),
    );
  });

  it('when exported, then it takes as many statements for a year as for a day, each served by an index', async () => {
    await familyOf(1, { member: 'uid-notifier-export-jun', other: 'uid-notifier-export-dad' }, ['jun-token']);

    const ofYear = await statementsOf(database, (db) => exportAccount(db, uids.member));
    const ofDay = await statementsOf(database, (db) => exportAccount(db, 'uid-notifier-export-jun'));

    assert.equal(ofYear.length, ofDay.length, 'statements do not grow with the pushes');
    assert.equal(ofYear.length, 2);
    for (const statement of ofYear) {
      const plan = await planWithoutSeqScans(database, statement);
      assert.doesNotMatch(plan, /Seq Scan/, `no index serves:\n${statement.sql}\n${plan}`);
      assert.match(plan, /Index Scan|Index Only Scan|Bitmap Index Scan/, plan);
    }
  });
});
