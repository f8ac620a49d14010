import { answerInputSchema } from '@haru/contracts';
import type { Database } from '@haru/db';
import { HaruError } from '@haru/errors';
import { jsonBody, requireCaller } from '@haru/http';
import { Hono } from 'hono';
import { validate as isUuid } from 'uuid';
import type { AnswerDatabase } from '../database.ts';
import { existing, requireMember } from '../families/family.ts';
import { familyIdOf, type RequestEnv, requestContext } from '../families/family-routes.ts';
import { loadFamily } from '../families/family-store.ts';
import { loadQuestion, questionCommands } from './question-store.ts';

export function questionRoutes(database: Database<AnswerDatabase>) {
  const runQuestionCommand = questionCommands(database);
  return new Hono<RequestEnv>()
    .use(requireCaller())
    .get('/:familyId/questions/current', async (c) => {
      const family = existing(await loadFamily(database.db, familyIdOf(c)));
      const member = requireMember(family, c.get('uid'));
      const current = family.questions.at(-1);
      if (!current) throw new HaruError('not-found', 'no question has opened yet');
      const { answers } = await loadQuestion(database.db, current.questionId);
      // Other members' answers are shown only to someone who has answered too.
      const hasAnswered = answers.some((answer) => answer.memberId === member.memberId);
      return c.json({
        questionId: current.questionId,
        localDate: current.localDate,
        text: current.text[member.locale],
        openedAt: current.openedAt,
        requiredMemberIds: current.requiredMemberIds,
        answers: hasAnswered ? answers : [],
      });
    })
    .put('/:familyId/questions/:questionId/answer', jsonBody(answerInputSchema), async (c) => {
      const familyId = familyIdOf(c);
      const questionId = c.req.param('questionId');
      if (!isUuid(questionId)) throw new HaruError('not-found', 'no such question');
      const { text } = c.req.valid('json');
      const { appended } = await runQuestionCommand(
        familyId,
        {
          type: 'SubmitAnswer',
          data: { questionId, uid: c.get('uid'), text },
          metadata: { now: new Date() },
        },
        requestContext(c),
      );
      return c.json({ questionId, text }, appended.length > 0 ? 201 : 200);
    });
}
