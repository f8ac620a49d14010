import type { Executor } from '@haru/db';
import { sql } from 'kysely';
import type { SchedulerDatabase } from '../database.ts';
import type { QuestionKey } from './awaited-members.ts';

type Db = Executor<SchedulerDatabase>;

/**
 * Records that a question opened or completed.
 * Its opening instant is the one of the latest report (`version`: a question rescheduled
 * before its instant is reported again); its completion, the earliest. So duplicates and
 * reordering converge; a row is created by whichever arrives first.
 */
export async function recordQuestionProgress(
  trx: Db,
  { familyId, questionId }: QuestionKey,
  progress: { openedAt: Date; version: Date } | { completedAt: Date },
): Promise<void> {
  const values =
    'openedAt' in progress
      ? { opened_at: progress.openedAt, opened_version: progress.version }
      : { completed_at: progress.completedAt };
  const newer = sql<boolean>`excluded.opened_version > coalesce(question_progress.opened_version, '-infinity')`;
  const earliest = (column: 'opened_at' | 'completed_at') =>
    sql<Date>`least(${sql.ref(`question_progress.${column}`)}, ${sql.ref(`excluded.${column}`)})`;
  await trx
    .insertInto('question_progress')
    .values({ family_id: familyId, question_id: questionId, ...values })
    .onConflict((conflict) =>
      conflict.columns(['family_id', 'question_id']).doUpdateSet(
        'openedAt' in progress
          ? {
              opened_at: sql`case when ${newer} then excluded.opened_at else question_progress.opened_at end`,
              opened_version: sql`greatest(question_progress.opened_version, excluded.opened_version)`,
            }
          : { completed_at: earliest('completed_at') },
      ),
    )
    .execute();
}
