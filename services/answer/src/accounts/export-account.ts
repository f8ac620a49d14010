import type { Executor } from '@haru/db';
import { sql } from 'kysely';
import type { AnswerDatabase } from '../database.ts';
import { familyStream } from '../families/family.repository.ts';
import type { OpenedQuestion } from '../families/family.ts';
import { openEvent, ownersOf } from '../personal-data/personal-fields.ts';
import { personalKeysOf } from '../personal-data/personal-keys.ts';
import { accountMemberships } from './memberships.ts';

/**
 * Everything the answer service holds about an account: each family it belongs to (or
 * belonged to), its membership there, and every answer with its question. Bounded by
 * indexed reads whatever the account's age: its memberships (`accountMemberships`), its
 * answers by member (`events_personal_by_member`) and their questions by id
 * (`events_questions_by_id`).
 */
export async function exportAccount(db: Executor<AnswerDatabase>, uid: string) {
  const memberships = await accountMemberships(db, uid);
  const memberIds = memberships.map(({ member }) => member.memberId);
  const answers =
    memberIds.length === 0
      ? []
      : await db
          .selectFrom('events')
          .select(['family_id', 'type', 'data'])
          .where('type', '=', 'AnswerSubmitted')
          .where(sql<string>`data->>'memberId'`, 'in', memberIds)
          .orderBy('global_position')
          .execute();
  const keys = await personalKeysOf(db, ownersOf(answers));
  const opened = answers.map((row) => ({
    familyId: row.family_id,
    ...(openEvent(row, keys).data as { questionId: string; memberId: string; text: string; answeredAt: string }),
  }));
  const questions = await questionsOf(db, opened);
  return {
    families: memberships.map(({ family, member }) => ({
      familyId: family.familyId,
      name: family.name,
      ...family.schedule,
      membership: {
        memberId: member.memberId,
        role: member.role,
        displayName: member.displayName,
        locale: member.locale,
        mutedKinds: member.mutedKinds,
        active: member.active,
      },
      answers: opened
        .filter((answer) => answer.memberId === member.memberId)
        .map(({ questionId, text, answeredAt }) => {
          const question = questions.get(questionId);
          return {
            questionId,
            localDate: question?.localDate ?? null,
            question: question?.text ?? null,
            text,
            answeredAt,
          };
        }),
    })),
  };
}

/** The questions answered, by id: one index lookup each in their family's stream. */
async function questionsOf(
  db: Executor<AnswerDatabase>,
  answers: ReadonlyArray<{ familyId: string; questionId: string }>,
): Promise<Map<string, OpenedQuestion>> {
  if (answers.length === 0) return new Map();
  const { rows } = await sql<{ data: OpenedQuestion }>`
    select e.data from unnest(${answers.map((answer) => familyStream(answer.familyId))}::text[],
                              ${answers.map((answer) => answer.questionId)}::text[]) as asked(stream_id, question_id)
    cross join lateral (
      select data from events
      where events.stream_id = asked.stream_id and type = 'QuestionOpened' and data->>'questionId' = asked.question_id
      limit 1) as e`.execute(db);
  return new Map(rows.map(({ data }) => [data.questionId, data]));
}
