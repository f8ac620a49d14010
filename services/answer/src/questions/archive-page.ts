import { type Executor, withPlannerSettings } from '@haru/db';
import { type Kysely, sql } from 'kysely';
import type { AnswerDatabase } from '../database.ts';
import { familyStream } from '../families/family.repository.ts';
import type { OpenedQuestion } from '../families/family.ts';

/**
 * A page of a family's questions, newest first: those opened by `now` (a question prepared
 * ahead of its instant is not shown before it) and for a local date before `before`. The
 * cursor is the oldest date on the page, so questions that open meanwhile never shift the
 * pages after the first. Read from the family's stream by index (`events_questions_by_date`:
 * its QuestionOpened and QuestionRescheduled by local date, the latest of a date winning),
 * so a page costs its own length, however long the history (`walkTheIndex`), and the
 * family's state keeps no archive.
 */
export async function archivePage(
  db: Kysely<AnswerDatabase>,
  familyId: string,
  { before, limit, now }: { before: string | undefined; limit: number; now: Date },
): Promise<{ questions: OpenedQuestion[]; nextCursor: string | null }> {
  const page = sql<{ data: OpenedQuestion }>`
    select data from (
      select distinct on (data->>'localDate') data->>'localDate' as local_date, data from events
      where stream_id = ${familyStream(familyId)} and type in ('QuestionOpened', 'QuestionRescheduled')
        ${before === undefined ? sql`` : sql`and data->>'localDate' < ${before}`}
      order by data->>'localDate' desc, stream_version desc) as latest
    where (data->>'openedAt')::timestamptz <= ${now.toISOString()}::timestamptz
    -- The subquery's own order, by its column: read from the index as it stands, no sort of
    -- every question before the cursor.
    order by local_date desc
    limit ${limit + 1}`;
  const { rows } = await withPlannerSettings(db, walkTheIndex, (trx) => page.execute(trx));
  const questions = rows.slice(0, limit).map(({ data }) => openedQuestion(data));
  return { questions, nextCursor: rows.length > limit ? (questions.at(-1)?.localDate ?? null) : null };
}

/**
 * A page is read by walking the index in its order, whatever the statistics say. With some
 * (family-life.test.ts analyzes a table the family fills), the planner would read the family's
 * whole history before the cursor and sort it, where the walk reads only the page.
 */
const walkTheIndex = { enable_seqscan: 'off', enable_bitmapscan: 'off', enable_sort: 'off' };

/**
 * One of the family's questions by its id, as the archive shows it (the latest announcement
 * of its date), or undefined when the family never opened it or its instant has not come.
 * Two index reads: its date by id (`events_questions_by_id`), its latest announcement by date.
 */
export async function archivedQuestion(
  db: Executor<AnswerDatabase>,
  familyId: string,
  { questionId, now }: { questionId: string; now: Date },
): Promise<OpenedQuestion | undefined> {
  const stream = familyStream(familyId);
  const { rows } = await sql<{ data: OpenedQuestion }>`
    select data from events
    where stream_id = ${stream} and type in ('QuestionOpened', 'QuestionRescheduled')
      and data->>'localDate' = (
        select data->>'localDate' from events
        where stream_id = ${stream} and type = 'QuestionOpened' and data->>'questionId' = ${questionId}
        limit 1)
    order by stream_version desc
    limit 1`.execute(db);
  const question = rows[0]?.data;
  if (!question || Date.parse(question.openedAt) > now.getTime()) return undefined;
  return openedQuestion(question);
}

/** Whether the family ever opened the question (`events_questions_by_id`). */
export async function familyAskedQuestion(
  db: Executor<AnswerDatabase>,
  familyId: string,
  questionId: string,
): Promise<boolean> {
  const { rows } = await sql`
    select 1 from events
    where stream_id = ${familyStream(familyId)} and type = 'QuestionOpened' and data->>'questionId' = ${questionId}
    limit 1`.execute(db);
  return rows.length > 0;
}

/** The question as the family's state holds it (QuestionOpened also carries its `day`). */
const openedQuestion = ({ questionId, localDate, text, openedAt, requiredMemberIds, timedBy }: OpenedQuestion) => ({
  questionId,
  localDate,
  text,
  openedAt,
  requiredMemberIds,
  ...(timedBy === undefined ? {} : { timedBy }),
});
