import type { Executor } from '@haru/db';
import type { NotifierDatabase } from '../database.ts';
import type { QuestionText } from '../notifications/push-content.ts';

type Db = Executor<NotifierDatabase>;

/** Keeps an opened question's text; a question's text never changes, so the first copy wins. */
export async function storeQuestion(
  db: Db,
  question: { familyId: string; questionId: string; text: QuestionText },
): Promise<void> {
  await db
    .insertInto('questions')
    .values({
      family_id: question.familyId,
      question_id: question.questionId,
      text_ko: question.text.ko,
      text_en: question.text.en,
    })
    .onConflict((conflict) => conflict.columns(['family_id', 'question_id']).doNothing())
    .execute();
}

export async function findQuestionText(db: Db, familyId: string, questionId: string): Promise<QuestionText | null> {
  const row = await db
    .selectFrom('questions')
    .select(['text_ko', 'text_en'])
    .where('family_id', '=', familyId)
    .where('question_id', '=', questionId)
    .executeTakeFirst();
  return row ? { ko: row.text_ko, en: row.text_en } : null;
}
