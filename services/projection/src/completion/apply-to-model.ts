import type { DomainEvent } from '@haru/contracts';
import type { Executor } from '@haru/db';
import type { Insertable } from 'kysely';
import type { ProjectionDatabase } from '../database.ts';
import type { AnswersTable } from './answer.table.ts';
import { completedAt } from './completion.ts';
import { type QuestionKey, readCompletionFacts } from './completion-facts.ts';
import type { DepartedMembersTable } from './departed-member.table.ts';
import type { QuestionProgressTable } from './question-progress.table.ts';

type Db = Executor<ProjectionDatabase>;

export interface CompletedQuestion extends QuestionKey {
  completedAt: Date;
}

/** Whether the event adds a fact to the model (the others pass through it unchanged). */
export const isCompletionFact = (event: DomainEvent): boolean =>
  event.type === 'QuestionOpened' || event.type === 'AnswerSubmitted' || event.type === 'MemberLeft';

/**
 * Folds events into the completion read model on `db`: the live tables, or a replay's
 * copy of them (`trx.withSchema(copy)`). One code path for the live handler (one event)
 * and for replays (a page of events).
 *
 * Each event adds a fact — a question opened with its required members, an answer, a
 * departure — stored idempotently (a duplicate changes nothing), and the completion of
 * every question the facts touch is recomputed from all facts stored so far. So the model
 * after any permutation of a family's events, with any of them repeated, is the same:
 * a function of the set of facts. (When a member answered and then left, and the
 * departure arrived first, the question completes at the departure, then moves to the
 * answer when that arrives: completed_at converges too.)
 *
 * Callers serialise a family's writes (`lockForTransaction`): two last answers applied
 * concurrently could otherwise each miss the other. Returns the touched questions that
 * are complete.
 */
export async function applyToModel(db: Db, events: readonly DomainEvent[]): Promise<CompletedQuestion[]> {
  const opened = new Map<string, Insertable<QuestionProgressTable>>();
  const answers: Insertable<AnswersTable>[] = [];
  const departures: Insertable<DepartedMembersTable>[] = [];
  const touched = new Map<string, QuestionKey>();
  const touch = (familyId: string, questionId: string) =>
    touched.set(`${familyId}/${questionId}`, { familyId, questionId });

  for (const event of events) {
    const familyId = event.familyId;
    switch (event.type) {
      case 'QuestionOpened': {
        const { questionId, localDate, requiredMemberIds, openedAt } = event.data;
        opened.set(`${familyId}/${questionId}`, {
          family_id: familyId,
          question_id: questionId,
          local_date: localDate,
          required_member_ids: JSON.stringify(requiredMemberIds) as never,
          opened_at: new Date(openedAt),
          completed_at: null,
        });
        touch(familyId, questionId);
        break;
      }
      case 'AnswerSubmitted': {
        const { questionId, memberId, answeredAt } = event.data;
        answers.push({
          family_id: familyId,
          question_id: questionId,
          member_id: memberId,
          answered_at: new Date(answeredAt),
        });
        touch(familyId, questionId);
        break;
      }
      case 'MemberLeft':
        departures.push({ family_id: familyId, member_id: event.data.memberId, left_at: new Date(event.occurredAt) });
        break;
      default:
        // FamilyCreated and MemberJoined add nothing: a member who joins after a question
        // opened is not among its required members, and so never blocks it.
        break;
    }
  }

  if (opened.size > 0) {
    await db
      .insertInto('question_progress')
      .values([...opened.values()])
      .onConflict((conflict) => conflict.columns(['family_id', 'question_id']).doNothing())
      .execute();
  }
  if (answers.length > 0) {
    await db
      .insertInto('answers')
      .values(answers)
      .onConflict((conflict) => conflict.doNothing())
      .execute();
  }
  if (departures.length > 0) {
    await db
      .insertInto('departed_members')
      .values(departures)
      .onConflict((conflict) => conflict.doNothing())
      .execute();
    // A departure can only unblock questions that are still incomplete: in a complete
    // one, the member had answered already (or left, and nobody leaves twice).
    const open = await db
      .selectFrom('question_progress')
      .select(['family_id', 'question_id'])
      .where('family_id', 'in', [...new Set(departures.map((departure) => departure.family_id))])
      .where('completed_at', 'is', null)
      .execute();
    for (const row of open) touch(row.family_id, row.question_id);
  }
  return settle(db, [...touched.values()]);
}

/** Recomputes the completion of the given questions from their stored facts. */
async function settle(db: Db, questions: QuestionKey[]): Promise<CompletedQuestion[]> {
  const completed: CompletedQuestion[] = [];
  for (const { familyId, questionId, facts, storedCompletedAt } of await readCompletionFacts(db, questions)) {
    const completion = completedAt(facts);
    if (completion?.getTime() !== storedCompletedAt?.getTime()) {
      await db
        .updateTable('question_progress')
        .set({ completed_at: completion })
        .where('family_id', '=', familyId)
        .where('question_id', '=', questionId)
        .execute();
    }
    if (completion) completed.push({ familyId, questionId, completedAt: completion });
  }
  return completed;
}
