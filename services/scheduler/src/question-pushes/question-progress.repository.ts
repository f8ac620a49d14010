import type { Executor } from '@haru/db';
import { sql } from 'kysely';
import type { SchedulerDatabase } from '../database.ts';
import type { ReminderAudience } from '../schedule/decide-reminder.ts';

type Db = Executor<SchedulerDatabase>;

export interface QuestionKey {
  familyId: string;
  questionId: string;
}

/**
 * Records that a question opened (with the members who must answer it) or completed.
 * Its opening instant is the one of the latest report (`version`: a question rescheduled
 * before its instant is reported again); its completion, the earliest. So duplicates and
 * reordering converge; a row is created by whichever arrives first.
 */
export async function recordQuestionProgress(
  trx: Db,
  { familyId, questionId }: QuestionKey,
  progress: { openedAt: Date; requiredMemberIds: string[]; version: Date } | { completedAt: Date },
): Promise<void> {
  const values =
    'openedAt' in progress
      ? {
          opened_at: progress.openedAt,
          opened_version: progress.version,
          required_member_ids: progress.requiredMemberIds,
        }
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
              // A question's required members never change: any report of its opening carries them.
              required_member_ids: (eb) => eb.ref('excluded.required_member_ids'),
            }
          : { completed_at: earliest('completed_at') },
      ),
    )
    .execute();
}

/** Records that a member answered a question (whether or not its opening is known yet). */
export async function recordAnswer(trx: Db, { familyId, questionId }: QuestionKey, memberId: string): Promise<void> {
  await trx
    .insertInto('question_answer')
    .values({ family_id: familyId, question_id: questionId, member_id: memberId })
    .onConflict((conflict) => conflict.doNothing())
    .execute();
}

/** Records that a member left their family. */
export async function recordDeparture(trx: Db, familyId: string, memberId: string): Promise<void> {
  await trx
    .insertInto('departed_member')
    .values({ family_id: familyId, member_id: memberId })
    .onConflict((conflict) => conflict.doNothing())
    .execute();
}

/**
 * For each question, what its reminder needs to decide whom to reach, as known now.
 * Keyed by `${familyId}/${questionId}`; a question the scheduler knows nothing of is absent.
 */
export async function findReminderAudiences(
  trx: Db,
  questions: readonly QuestionKey[],
): Promise<Map<string, ReminderAudience>> {
  if (questions.length === 0) return new Map();
  const { rows } = await sql<{
    family_id: string;
    question_id: string;
    required: string[];
    answered: string[];
    departed: string[];
    complete: boolean;
  }>`
    select p.family_id, p.question_id,
           coalesce(p.required_member_ids, '{}') as required,
           array(select a.member_id from question_answer a
                 where a.family_id = p.family_id and a.question_id = p.question_id) as answered,
           array(select d.member_id from departed_member d where d.family_id = p.family_id) as departed,
           p.completed_at is not null as complete
    from question_progress p
    join unnest(${questions.map((q) => q.familyId)}::uuid[], ${questions.map((q) => q.questionId)}::uuid[])
      as wanted(family_id, question_id)
      on p.family_id = wanted.family_id and p.question_id = wanted.question_id`.execute(trx);
  return new Map(
    rows.map((row) => [
      questionKey({ familyId: row.family_id, questionId: row.question_id }),
      {
        requiredMemberIds: row.required,
        answeredMemberIds: row.answered,
        departedMemberIds: row.departed,
        complete: row.complete,
      },
    ]),
  );
}

export const questionKey = ({ familyId, questionId }: QuestionKey): string => `${familyId}/${questionId}`;
