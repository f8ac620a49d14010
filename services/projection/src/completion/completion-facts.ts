import type { Executor } from '@haru/db';
import type { ProjectionDatabase } from '../database.ts';
import type { CompletionFacts } from './completion.ts';

type Db = Executor<ProjectionDatabase>;

export interface QuestionKey {
  familyId: string;
  questionId: string;
}

/** A question the model has seen open: its facts so far, and the completion stored for them. */
export interface KnownQuestion extends QuestionKey {
  facts: CompletionFacts & { requiredMemberIds: readonly string[] };
  storedCompletedAt: Date | null;
}

/**
 * The completion facts of the given questions, in three queries whatever their number.
 * A question whose QuestionOpened has not been applied yet is left out: its answers may
 * be stored, but nobody knows yet who must answer it.
 */
export async function readCompletionFacts(db: Db, questions: readonly QuestionKey[]): Promise<KnownQuestion[]> {
  if (questions.length === 0) return [];
  const progress = await db
    .selectFrom('question_progress')
    .select(['family_id', 'question_id', 'required_member_ids', 'completed_at'])
    .where(({ eb, refTuple, tuple }) =>
      eb(
        refTuple('family_id', 'question_id'),
        'in',
        questions.map((question) => tuple(question.familyId, question.questionId)),
      ),
    )
    .execute();
  const known = progress.flatMap((row) =>
    row.required_member_ids === null ? [] : [{ ...row, required_member_ids: row.required_member_ids }],
  );
  if (known.length === 0) return [];
  const answers = await db
    .selectFrom('answers')
    .select(['family_id', 'question_id', 'member_id', 'answered_at'])
    .where(({ eb, refTuple, tuple }) =>
      eb(
        refTuple('family_id', 'question_id'),
        'in',
        known.map((row) => tuple(row.family_id, row.question_id)),
      ),
    )
    .execute();
  const departures = await db
    .selectFrom('departed_members')
    .select(['family_id', 'member_id', 'left_at'])
    .where('family_id', 'in', [...new Set(known.map((row) => row.family_id))])
    .execute();

  const answeredAt = groupBy(answers, (answer) => `${answer.family_id}/${answer.question_id}`);
  const leftAt = groupBy(departures, (departure) => departure.family_id);
  return known.map((row) => ({
    familyId: row.family_id,
    questionId: row.question_id,
    storedCompletedAt: row.completed_at,
    facts: {
      requiredMemberIds: row.required_member_ids,
      answeredAt: new Map(
        (answeredAt.get(`${row.family_id}/${row.question_id}`) ?? []).map((answer) => [
          answer.member_id,
          answer.answered_at,
        ]),
      ),
      leftAt: new Map((leftAt.get(row.family_id) ?? []).map((departure) => [departure.member_id, departure.left_at])),
    },
  }));
}

function groupBy<Item>(items: readonly Item[], keyOf: (item: Item) => string): Map<string, Item[]> {
  const groups = new Map<string, Item[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
