import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createEvent, type DomainEvent, type EventOf, newEventId } from '@haru/contracts';
import { createDatabase, migrateToLatest } from '@haru/db';
import { sweepRetention } from '@haru/runtime';
import { createTestDatabase } from '@haru/testing';
import { type Kysely, sql } from 'kysely';
import { type SchedulerDatabase, schema } from '../database.ts';
import { fireDueReminders } from '../due-tick/fire-due-pushes.ts';
import { recordFired } from '../due-tick/fired.repository.ts';
import { createEventHandler } from '../handle-event.ts';
import { migrations } from '../migrations/index.ts';
import { firedQuestionRetention, settledQuestionRetention } from './scheduler-retention.ts';

const dayMs = 86_400_000;
const catchUpWindowMinutes = 180;
const longAgo = new Date('2026-04-01T03:00:00Z'); // 12:00 in Seoul
const today = new Date(longAgo.getTime() + 60 * dayMs);
let clock = longAgo;
let database: ReturnType<typeof createDatabase<SchedulerDatabase>>;
let handle: (event: DomainEvent) => Promise<void>;
const steps = [firedQuestionRetention({ catchUpWindowMinutes }), settledQuestionRetention];

before(async () => {
  database = createDatabase<SchedulerDatabase>({ url: await createTestDatabase(), schema, poolSize: 2 });
  await migrateToLatest(database.db, schema, migrations);
  handle = createEventHandler({ db: database.db, now: () => clock, leadMs: 0 });
});
after(() => database?.close());

const sweep = (retentionDays: number) =>
  sweepRetention({ db: database.db as unknown as Kysely<unknown>, steps, retentionDays, now: today, batchSize: 2 });

const familyEvents = () => {
  const familyId = crypto.randomUUID();
  const event = <Type extends 'FamilyCreated' | 'ScheduleChanged' | 'QuestionOpened' | 'FamilyQuestionCompleted'>(
    type: Type,
    data: EventOf<Type>['data'],
  ) => {
    const id = newEventId();
    return createEvent(type, familyId, data, { occurredAt: clock, correlationId: id, causationId: null }, id);
  };
  const schedule = { timezone: 'Asia/Seoul', pushTime: '12:00', quietHours: null, reminderOffsetMinutes: 180 };
  return {
    familyId,
    created: () => event('FamilyCreated', { name: 'Han', ...schedule }),
    scheduleChanged: () => event('ScheduleChanged', { ...schedule, pushTime: '19:00' }),
    opened: (questionId: string, openedAt: Date) =>
      event('QuestionOpened', {
        questionId,
        localDate: openedAt.toISOString().slice(0, 10),
        text: { ko: '오늘 어땠어?', en: 'How was today?' },
        openedAt: openedAt.toISOString(),
        requiredMemberIds: [crypto.randomUUID()],
      }),
    completed: (questionId: string, completedAt: Date) =>
      event('FamilyQuestionCompleted', { questionId, completedAt: completedAt.toISOString() }),
  };
};

const rows = async (familyId: string) => ({
  progress: await database.db
    .selectFrom('question_progress')
    .select('question_id')
    .where('family_id', '=', familyId)
    .execute(),
  ledger: await database.db
    .selectFrom('fired')
    .select(['kind', 'subject'])
    .where('family_id', '=', familyId)
    .orderBy('kind')
    .orderBy('subject')
    .execute(),
  pending: await database.db.selectFrom('pending_push').select('kind').where('family_id', '=', familyId).execute(),
});

const announced = (questionId: string) =>
  database.db
    .selectFrom('outbox')
    .select('type')
    .where('type', 'in', ['DueAndComplete', 'ReminderDue'])
    .where(sql<string>`envelope -> 'data' ->> 'questionId'`, '=', questionId)
    .execute();

describe('the scheduler keeps what can still fire and lets the rest go', () => {
  it('when a question long past is settled, then it goes whole, and a schedule change announces nothing for it', async () => {
    clock = longAgo;
    const family = familyEvents();
    const old = crypto.randomUUID();
    const recent = crypto.randomUUID();
    await handle(family.created());
    await handle(family.opened(old, longAgo));
    clock = new Date(longAgo.getTime() + 3_600_000);
    await handle(family.completed(old, clock));
    // The reminder comes due at the offset (180 minutes): complete by then, it is skipped.
    clock = new Date(longAgo.getTime() + 4 * 3_600_000);
    await fireDueReminders(database.db, {
      now: clock,
      batchSize: 100,
      catchUpWindowMinutes,
      horizon: clock,
      awaitedMembers: () => assert.fail('a question known complete needs nobody asked'),
    });
    clock = new Date(today.getTime() - dayMs);
    await handle(family.opened(recent, clock));
    const before = await rows(family.familyId);
    assert.deepEqual(
      before.ledger.filter((row) => row.subject === old).map((row) => row.kind),
      ['complete', 'reminder'],
    );
    const announcedBefore = (await announced(old)).length;
    assert.equal(announcedBefore, 1, 'the "everyone answered" push went out once');

    await sweep(30);

    const afterSweep = await rows(family.familyId);
    assert.deepEqual(
      afterSweep.progress.map((row) => row.question_id),
      [recent],
    );
    assert.ok(afterSweep.ledger.every((row) => row.subject !== old));
    assert.deepEqual(afterSweep.pending, [{ kind: 'reminder' }], 'the recent question still waits for its reminder');

    clock = today;
    await handle(family.scheduleChanged());
    assert.equal((await announced(old)).length, announcedBefore, 'nothing announced again for the old question');
  });

  it('when an old question still has a push waiting, then it is kept', async () => {
    clock = longAgo;
    const family = familyEvents();
    const waiting = crypto.randomUUID();
    await handle(family.created());
    await handle(family.opened(waiting, longAgo)); // its reminder was never ticked

    await sweep(30);

    const { progress, pending } = await rows(family.familyId);
    assert.deepEqual(
      progress.map((row) => row.question_id),
      [waiting],
    );
    assert.deepEqual(pending, [{ kind: 'reminder' }]);
  });

  it('when a question ledger row is older than the period but within the catch-up window and its margin, then it is kept', async () => {
    const familyId = crypto.randomUUID();
    const questionDue = (daysAgo: number) => {
      const dueAt = new Date(today.getTime() - daysAgo * dayMs);
      const localDate = dueAt.toISOString().slice(0, 10);
      const id = newEventId();
      const event = createEvent(
        'QuestionDue',
        familyId,
        { localDate, dueAt: dueAt.toISOString() },
        { occurredAt: dueAt, correlationId: id, causationId: null },
        id,
      );
      return { familyId, subject: localDate, kind: 'question' as const, dueAt, event };
    };
    const [beyond, withinMargin, recent] = [questionDue(3), questionDue(1.5), questionDue(0.5)];
    await recordFired(database.db, [beyond, withinMargin, recent]);

    // A period of one day: the margin (catch-up window plus two days) decides.
    await sweep(1);

    const { ledger } = await rows(familyId);
    assert.deepEqual(
      ledger.map((row) => row.subject),
      [withinMargin.subject, recent.subject],
    );
  });
});
