import type { Executor } from '@haru/db';
import type { NotifierDatabase } from '../database.ts';

/** Records that a member answered a question; a redelivered AnswerSubmitted changes nothing. */
export async function recordAnswer(
  db: Executor<NotifierDatabase>,
  answer: { familyId: string; questionId: string; memberId: string; answeredAt: Date },
): Promise<void> {
  await db
    .insertInto('answers')
    .values({
      family_id: answer.familyId,
      question_id: answer.questionId,
      member_id: answer.memberId,
      answered_at: answer.answeredAt,
    })
    .onConflict((conflict) => conflict.columns(['family_id', 'question_id', 'member_id']).doNothing())
    .execute();
}
