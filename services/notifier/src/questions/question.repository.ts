import type { Executor } from '@haru/db';
import { sql } from 'kysely';
import type { NotifierDatabase } from '../database.ts';
import type { QuestionText } from './question.table.ts';

type Db = Executor<NotifierDatabase>;

/**
 * Keeps an opened question: its text (which never changes, so the first copy wins) and its
 * instant, from the latest report of its opening by `version` (QuestionOpened, then any
 * QuestionRescheduled, in whatever order they arrive). Resolves with the instant it holds.
 */
export async function storeQuestion(
  db: Db,
  question: { familyId: string; questionId: string; text: QuestionText; opensAt: Date; version: Date },
): Promise<Date> {
  const row = await db
    .insertInto('questions')
    .values({
      family_id: question.familyId,
      question_id: question.questionId,
      text_ko: question.text.ko,
      text_en: question.text.en,
      opens_at: question.opensAt,
      opens_version: question.version,
    })
    .onConflict((conflict) =>
      conflict.columns(['family_id', 'question_id']).doUpdateSet({
        opens_at: sql`case when excluded.opens_version > coalesce(questions.opens_version, '-infinity')
                           then excluded.opens_at else questions.opens_at end`,
        opens_version: sql`greatest(questions.opens_version, excluded.opens_version)`,
      }),
    )
    .returning('opens_at')
    .executeTakeFirstOrThrow();
  return row.opens_at ?? question.opensAt;
}
