import { causedBy, createEvent, type DomainEvent } from '@haru/contracts';
import type { Executor } from '@haru/db';
import { appendToOutbox, handleOnce } from '@haru/messaging';
import { type Kysely, sql } from 'kysely';
import type { ProjectionDatabase } from '../database.ts';
import { completedAt } from './completion.ts';

type Db = Executor<ProjectionDatabase>;

/**
 * Folds one event into the completion read model. Each fact is stored idempotently
 * (duplicates change nothing) and completion is recomputed from all facts, so events
 * may arrive in any order; FamilyQuestionCompleted is emitted once, by the transaction
 * that moves completed_at from null.
 */
export async function applyToCompletion(db: Kysely<ProjectionDatabase>, event: DomainEvent, now: Date): Promise<void> {
  await handleOnce(db, event, async (trx) => {
    // Events of one family are handled concurrently by several consumers; without this
    // lock two last answers could each commit without seeing the other (write skew) and
    // neither would complete the question.
    await sql`select pg_advisory_xact_lock(hashtextextended(${event.familyId}, 0))`.execute(trx);
    const affected = await recordFact(trx, event);
    for (const questionId of affected) await settle(trx, event, questionId, now);
  });
}

/** Stores the event's fact; returns the questions whose completion may have changed. */
async function recordFact(trx: Db, event: DomainEvent): Promise<string[]> {
  const familyId = event.familyId;
  switch (event.type) {
    case 'QuestionOpened': {
      const { questionId, localDate, requiredMemberIds, openedAt } = event.data;
      await trx
        .insertInto('question_progress')
        .values({
          family_id: familyId,
          question_id: questionId,
          local_date: localDate,
          required_member_ids: JSON.stringify(requiredMemberIds) as never,
          opened_at: new Date(openedAt),
          completed_at: null,
        })
        .onConflict((conflict) =>
          conflict.columns(['family_id', 'question_id']).doUpdateSet({
            local_date: localDate,
            required_member_ids: JSON.stringify(requiredMemberIds) as never,
            opened_at: new Date(openedAt),
          }),
        )
        .execute();
      return [questionId];
    }
    case 'AnswerSubmitted': {
      const { questionId, memberId, answeredAt } = event.data;
      await trx
        .insertInto('answers')
        .values({
          family_id: familyId,
          question_id: questionId,
          member_id: memberId,
          answered_at: new Date(answeredAt),
        })
        .onConflict((conflict) => conflict.doNothing())
        .execute();
      return [questionId];
    }
    case 'MemberLeft': {
      await trx
        .insertInto('departed_members')
        .values({ family_id: familyId, member_id: event.data.memberId, left_at: new Date(event.occurredAt) })
        .onConflict((conflict) => conflict.doNothing())
        .execute();
      const open = await trx
        .selectFrom('question_progress')
        .select('question_id')
        .where('family_id', '=', familyId)
        .where('completed_at', 'is', null)
        .execute();
      return open.map((row) => row.question_id);
    }
    default:
      // FamilyCreated and MemberJoined add nothing to completion (a late joiner never blocks).
      return [];
  }
}

async function settle(trx: Db, cause: DomainEvent, questionId: string, now: Date): Promise<void> {
  const familyId = cause.familyId;
  const progress = await trx
    .selectFrom('question_progress')
    .select(['required_member_ids', 'completed_at'])
    .where('family_id', '=', familyId)
    .where('question_id', '=', questionId)
    .executeTakeFirst();
  if (!progress || progress.completed_at) return;
  const answers = await trx
    .selectFrom('answers')
    .select(['member_id', 'answered_at'])
    .where('family_id', '=', familyId)
    .where('question_id', '=', questionId)
    .execute();
  const departures = await trx
    .selectFrom('departed_members')
    .select(['member_id', 'left_at'])
    .where('family_id', '=', familyId)
    .execute();
  const completed = completedAt({
    requiredMemberIds: progress.required_member_ids,
    answeredAt: new Map(answers.map((row) => [row.member_id, row.answered_at])),
    leftAt: new Map(departures.map((row) => [row.member_id, row.left_at])),
  });
  if (!completed) return;
  const moved = await trx
    .updateTable('question_progress')
    .set({ completed_at: completed })
    .where('family_id', '=', familyId)
    .where('question_id', '=', questionId)
    .where('completed_at', 'is', null)
    .returning('question_id')
    .executeTakeFirst();
  if (!moved) return;
  await appendToOutbox(trx, [
    createEvent(
      'FamilyQuestionCompleted',
      familyId,
      { questionId, completedAt: completed.toISOString() },
      causedBy(cause, now),
    ),
  ]);
}
