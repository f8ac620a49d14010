import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createDatabase, migrateToLatest } from '@haru/db';
import { inboxRetention, sweepRetention } from '@haru/runtime';
import { createTestDatabase } from '@haru/testing';
import type { Kysely } from 'kysely';
import { type NotifierDatabase, schema } from '../database.ts';
import { migrations } from '../migrations/index.ts';
import type { DeliveryStatus } from '../notifications/delivery.table.ts';
import { notificationRetention } from './notification-retention.ts';
import { answerRetention, questionRetention } from './question-retention.ts';

const dayMs = 86_400_000;
const now = new Date('2026-12-09T00:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * dayMs);
let database: ReturnType<typeof createDatabase<NotifierDatabase>>;

before(async () => {
  database = createDatabase<NotifierDatabase>({ url: await createTestDatabase(), schema, poolSize: 2 });
  await migrateToLatest(database.db, schema, migrations);
});
after(() => database?.close());

/** A push made `age` days ago, reported or not, with a delivery in each of `statuses`. */
async function push(age: number, { reported, statuses }: { reported: boolean; statuses: DeliveryStatus[] }) {
  const notificationId = crypto.randomUUID();
  const at = daysAgo(age);
  await database.db
    .insertInto('notifications')
    .values({
      notification_id: notificationId,
      family_id: crypto.randomUUID(),
      question_id: crypto.randomUUID(),
      kind: 'question',
      created_at: at,
      due_at: at,
      cause_event_id: null,
      correlation_id: null,
      reported_at: reported ? at : null,
    })
    .execute();
  await database.db
    .insertInto('deliveries')
    .values(
      statuses.map((status, index) => ({
        notification_id: notificationId,
        token: `token-${notificationId}-${index}`,
        member_id: crypto.randomUUID(),
        status,
        error_code: null,
        error_message: null,
        attempts: 1,
        next_attempt_at: at,
        updated_at: at,
      })),
    )
    .execute();
  return notificationId;
}

it('when reported pushes are older than the period, then they go with their deliveries; younger, unreported and pending ones stay', async () => {
  const gone = [
    await push(31, { reported: true, statuses: ['sent', 'invalid'] }),
    await push(90, { reported: true, statuses: ['failed'] }),
    await push(400, { reported: true, statuses: ['sent', 'sent', 'sent'] }),
  ];
  const kept = [
    await push(29, { reported: true, statuses: ['sent'] }),
    await push(45, { reported: false, statuses: ['sent'] }),
    await push(60, { reported: true, statuses: ['sent', 'pending'] }),
  ];
  await database.db
    .insertInto('inbox')
    .values([
      { message_id: crypto.randomUUID(), type: 'QuestionOpened', handled_at: daysAgo(31) },
      { message_id: crypto.randomUUID(), type: 'QuestionOpened', handled_at: daysAgo(1) },
    ])
    .execute();

  const removed = await sweepRetention({
    db: database.db as unknown as Kysely<unknown>,
    steps: [inboxRetention, notificationRetention],
    retentionDays: 30,
    now,
    batchSize: 2,
  });

  assert.deepEqual(removed, { inbox: 1, notifications: 3 });
  const notifications = await database.db.selectFrom('notifications').select('notification_id').execute();
  assert.deepEqual(notifications.map((row) => row.notification_id).sort(), [...kept].sort());
  const deliveries = await database.db
    .selectFrom('deliveries')
    .select('notification_id')
    .where('notification_id', 'in', [...gone, ...kept])
    .execute();
  assert.deepEqual(new Set(deliveries.map((row) => row.notification_id)), new Set(kept));
  assert.equal(deliveries.length, 4);
});

it('when a question and its answers are older than the period, then they go once its pushes have gone', async () => {
  const question = async (age: number, withPush: boolean) => {
    const familyId = crypto.randomUUID();
    const questionId = crypto.randomUUID();
    await database.db
      .insertInto('questions')
      .values({
        family_id: familyId,
        question_id: questionId,
        text_ko: '질문',
        text_en: 'Question',
        opens_at: daysAgo(age),
        opens_version: daysAgo(age),
      })
      .execute();
    await database.db
      .insertInto('answers')
      .values({
        family_id: familyId,
        question_id: questionId,
        member_id: crypto.randomUUID(),
        answered_at: daysAgo(age),
      })
      .execute();
    if (withPush) {
      await database.db
        .insertInto('notifications')
        .values({
          notification_id: crypto.randomUUID(),
          family_id: familyId,
          question_id: questionId,
          kind: 'question',
          created_at: daysAgo(age),
          due_at: daysAgo(age),
          cause_event_id: null,
          correlation_id: null,
          reported_at: null, // never reported: the push stays, and so does its question
        })
        .execute();
    }
    return questionId;
  };
  const gone = await question(31, false);
  const young = await question(29, false);
  const quoted = await question(31, true);

  const removed = await sweepRetention({
    db: database.db as unknown as Kysely<unknown>,
    steps: [questionRetention, answerRetention],
    retentionDays: 30,
    now,
    batchSize: 2,
  });

  assert.deepEqual(removed, { questions: 1, answers: 2 });
  const questions = await database.db
    .selectFrom('questions')
    .select('question_id')
    .where('question_id', 'in', [gone, young, quoted])
    .execute();
  assert.deepEqual(questions.map((row) => row.question_id).sort(), [young, quoted].sort());
  const answers = await database.db
    .selectFrom('answers')
    .select('question_id')
    .where('question_id', 'in', [gone, young, quoted])
    .execute();
  assert.deepEqual(
    answers.map((row) => row.question_id),
    [young],
  );
});
