import { archiveQuerySchema } from '@haru/contracts';
import type { Database } from '@haru/db';
import { HaruError } from '@haru/errors';
import { requireCaller } from '@haru/http';
import { Hono } from 'hono';
import { validator } from 'hono/validator';
import type { AnswerDatabase } from '../database.ts';
import { readStreams } from '../event-store/event-store.ts';
import { loadFamily } from '../families/family.repository.ts';
import { currentQuestion, existing, type Member, type OpenedQuestion, requireMember } from '../families/family.ts';
import { familyIdOf, questionIdOf, type RequestEnv } from '../request-context.ts';
import { archivedQuestion, archivePage } from './archive-page.ts';
import { loadQuestion, questionFold, questionStream } from './question.repository.ts';
import type { Answer, QuestionState } from './question.ts';

export function questionRoutes(database: Database<AnswerDatabase>) {
  return new Hono<RequestEnv>()
    .use(requireCaller())
    .get('/:familyId/questions/current', async (c) => {
      const family = existing(await loadFamily(database.db, familyIdOf(c)));
      const member = requireMember(family, c.get('uid'));
      const current = currentQuestion(family, new Date());
      if (!current) throw new HaruError('not-found', 'no question has opened yet');
      const { answers } = await loadQuestion(database.db, current.questionId);
      return c.json({
        questionId: current.questionId,
        localDate: current.localDate,
        text: current.text[member.locale],
        openedAt: current.openedAt,
        requiredMemberIds: current.requiredMemberIds,
        answers: answersFor(member, answers),
      });
    })
    .get('/:familyId/questions/:questionId', async (c) => {
      const family = existing(await loadFamily(database.db, familyIdOf(c)));
      const member = requireMember(family, c.get('uid'));
      const question = await archivedQuestion(database.db, family.familyId, {
        questionId: questionIdOf(c),
        now: new Date(),
      });
      if (!question) throw new HaruError('not-found', 'no such question');
      const { answers } = await loadQuestion(database.db, question.questionId);
      return c.json(archiveItem(member, question, answers));
    })
    .get('/:familyId/questions', archiveQuery, async (c) => {
      const { before, limit } = c.req.valid('query');
      const family = existing(await loadFamily(database.db, familyIdOf(c)));
      const member = requireMember(family, c.get('uid'));
      const { questions, nextCursor } = await archivePage(database.db, family.familyId, {
        before,
        limit,
        now: new Date(),
      });
      // The page's answers: one read of its question streams (one index range scan each).
      const streams = await readStreams(
        database.db,
        questions.map((question) => ({ streamId: questionStream(question.questionId), fold: questionFold })),
      );
      const items = questions.map((question: OpenedQuestion) => {
        const { answers } = (streams.get(questionStream(question.questionId))?.state ??
          questionFold.initial()) as QuestionState;
        return archiveItem(member, question, answers);
      });
      return c.json({ items, nextCursor });
    });
}

/** A question of the archive as `member` sees it: in their language, with who answered. */
const archiveItem = (member: Member, question: OpenedQuestion, answers: Answer[]) => ({
  questionId: question.questionId,
  localDate: question.localDate,
  text: question.text[member.locale],
  openedAt: question.openedAt,
  answeredBy: answers.map((answer) => answer.memberId),
  answers: answersFor(member, answers),
});

/** Other members' answers are shown only to someone who has answered too. */
const answersFor = (member: Member, answers: Answer[]): Answer[] =>
  answers.some((answer) => answer.memberId === member.memberId) ? answers : [];

const archiveQuery = validator('query', (value) => {
  const query = archiveQuerySchema.safeParse(value);
  if (!query.success) throw new HaruError('invalid', 'before is a local date (YYYY-MM-DD), limit 1–50');
  return query.data;
});
