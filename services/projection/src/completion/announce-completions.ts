import { createEvent, type EventContext } from '@haru/contracts';
import { appendToOutbox, type OutboxTransaction } from '@haru/messaging';
import type { ProjectionDatabase } from '../database.ts';
import type { CompletedQuestion } from './apply-to-model.ts';

/**
 * Puts FamilyQuestionCompleted on the outbox for each completed question not announced
 * before, in the caller's transaction. The ledger row and the outbox row commit
 * together, so each question is announced exactly once, whichever transaction —
 * a live event's, or a rebuild's swap — sees it complete first.
 */
export async function announceCompletions(
  trx: OutboxTransaction<ProjectionDatabase>,
  completed: readonly CompletedQuestion[],
  context: EventContext,
): Promise<number> {
  if (completed.length === 0) return 0;
  const announced = await trx
    .insertInto('announced_completions')
    .values(
      completed.map(({ familyId, questionId, completedAt }) => ({
        family_id: familyId,
        question_id: questionId,
        completed_at: completedAt,
      })),
    )
    .onConflict((conflict) => conflict.columns(['family_id', 'question_id']).doNothing())
    .returning(['family_id', 'question_id', 'completed_at'])
    .execute();
  await appendToOutbox(
    trx,
    announced.map((row) =>
      createEvent(
        'FamilyQuestionCompleted',
        row.family_id,
        { questionId: row.question_id, completedAt: row.completed_at.toISOString() },
        context,
      ),
    ),
  );
  return announced.length;
}
