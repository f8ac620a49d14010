import { answerInputSchema } from '@haru/contracts';
import { HaruError } from '@haru/errors';
import { jsonBody } from '@haru/http';
import { Hono } from 'hono';
import { validate as isUuid } from 'uuid';
import { caller, segment } from '../families/family-routes.ts';
import type { GatewayEnv, Services } from '../gateway-context.ts';
import { relay } from '../service-client.ts';
import { answerSubmissions } from './answer-submissions.ts';

interface CurrentQuestion {
  questionId: string;
  localDate: string;
  text: string;
  openedAt: string;
  requiredMemberIds: string[];
  answers: Array<{ memberId: string; text: string; answeredAt: string }>;
}

/** Today's question (answer service) with its progress (projection), and answering it (in batches). */
export function questionRoutes({ answer, projection }: Services) {
  const submitAnswer = answerSubmissions(answer);
  return new Hono<GatewayEnv>()
    .get('/:familyId/questions/current', async (c) => {
      const familyId = segment(c.req.param('familyId'));
      const current = await answer({
        method: 'GET',
        path: `/internal/families/${familyId}/questions/current`,
        ...caller(c),
      });
      if (!current.ok) return relay(c, current);
      const question = (await current.json()) as CurrentQuestion;
      const progress = await projection({
        method: 'GET',
        path: `/internal/families/${familyId}/questions/${segment(question.questionId)}/progress`,
        ...caller(c),
      });
      // The projection may not have seen the question yet: nobody has answered then.
      const { answeredBy, complete } = progress.ok
        ? ((await progress.json()) as { answeredBy: string[]; complete: boolean })
        : { answeredBy: [], complete: false };
      return c.json({
        questionId: question.questionId,
        localDate: question.localDate,
        text: question.text,
        openedAt: question.openedAt,
        answeredBy,
        complete,
        answers: question.answers,
      });
    })
    .put('/:familyId/questions/:questionId/answer', jsonBody(answerInputSchema), async (c) => {
      const { text } = c.req.valid('json');
      const { familyId, questionId } = c.req.param();
      // Only ids cross in a batch (uuid's check is the batch schema's `z.uuid()`): an answer
      // that names none is refused here, alone.
      if (!isUuid(familyId)) throw new HaruError('not-found', 'no such family');
      if (!isUuid(questionId)) throw new HaruError('not-found', 'no such question');
      return relay(c, await submitAnswer({ familyId, questionId, text, ...caller(c) }));
    });
}
