import { HaruError } from '@haru/errors';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { validate as isUuid } from 'uuid';
import type { GatewayEnv, Services } from '../gateway-context.ts';
import { jsonContent } from '../openapi/json-content.ts';
import { familyIdParameter, familyPath, questionIdParameter } from '../openapi/path-parameters.ts';
import { bodyProblems, everyRouteProblems, problemResponses } from '../openapi/problem-responses.ts';
import { requireJsonBody } from '../openapi/require-json-body.ts';
import { caller, forward, segment } from '../service-calls.ts';
import { answerSubmissions } from './answer-submissions.ts';
import {
  answerInput,
  archivedQuestion,
  archivePage,
  archiveQuery,
  currentQuestion,
  examples,
  submittedAnswer,
} from './question-schemas.ts';

interface CurrentQuestion {
  questionId: string;
  localDate: string;
  text: string;
  openedAt: string;
  requiredMemberIds: string[];
  answers: Array<{ memberId: string; text: string; answeredAt: string }>;
}

const getCurrentQuestion = createRoute({
  method: 'get',
  path: '/{familyId}/questions/current',
  operationId: 'getCurrentQuestion',
  summary: "Read today's question, who has answered, and the answers once the caller has",
  tags: ['questions'],
  request: { params: familyPath },
  responses: {
    200: { description: "Today's question.", ...jsonContent(currentQuestion, examples.currentQuestion) },
    ...problemResponses(...everyRouteProblems, 404),
  },
});

/** A question of the archive as the answer service has it; its completion is the projection's. */
type ArchiveItemOfAnswerService = Omit<CurrentQuestion, 'requiredMemberIds'> & { answeredBy: string[] };

interface ArchivePageOfAnswerService {
  items: ArchiveItemOfAnswerService[];
  nextCursor: string | null;
}

const listQuestions = createRoute({
  method: 'get',
  path: '/{familyId}/questions',
  operationId: 'listQuestions',
  summary: "Read the family's archive: every question so far, newest first, a page at a time",
  description:
    'Pass a page’s `nextCursor` as `before` for the next one; questions that open meanwhile never shift the pages. A question appears once it has opened. Answers are shown for the questions the caller answered.',
  tags: ['questions'],
  request: { params: familyPath, query: archiveQuery },
  responses: {
    200: { description: 'A page of the archive.', ...jsonContent(archivePage, examples.archivePage) },
    ...problemResponses(...everyRouteProblems, 400, 404),
  },
});

const getQuestion = createRoute({
  method: 'get',
  path: '/{familyId}/questions/{questionId}',
  operationId: 'getQuestion',
  summary: 'Read one of the family’s questions by its id, as the archive shows it',
  description:
    'What a tap on a push opens: its `data.questionId`, today’s or an older one. A question appears once it has opened. Answers are shown if the caller answered it.',
  tags: ['questions'],
  request: { params: z.object({ familyId: familyIdParameter, questionId: questionIdParameter }) },
  responses: {
    200: { description: 'The question.', ...jsonContent(archivedQuestion, examples.archivedQuestion) },
    ...problemResponses(...everyRouteProblems, 404),
  },
});

const submitAnswer = createRoute({
  method: 'put',
  path: '/{familyId}/questions/{questionId}/answer',
  operationId: 'submitAnswer',
  summary: "Answer the family's open question (1–2000 characters)",
  description: 'The same answer again is 200 (safe to retry); another text, or a question no longer open, is 409.',
  tags: ['questions'],
  middleware: [requireJsonBody] as const,
  request: {
    params: z.object({ familyId: familyIdParameter, questionId: questionIdParameter }),
    body: { required: true, ...jsonContent(answerInput, examples.answerInput) },
  },
  responses: {
    200: {
      description: 'The same answer was already given.',
      ...jsonContent(submittedAnswer, examples.submittedAnswer),
    },
    201: { description: 'The answer was recorded.', ...jsonContent(submittedAnswer, examples.submittedAnswer) },
    ...problemResponses(...everyRouteProblems, ...bodyProblems, 404, 409),
  },
});

/**
 * Today's question and the archive (answer service) with their completion (projection), and
 * answering (in batches).
 */
export function questionRoutes({ answer, projection }: Services) {
  const submit = answerSubmissions(answer);
  /** The archive's questions with when each was completed (null while someone has not answered). */
  const withCompletions = async (c: Context<GatewayEnv>, familyId: string, items: ArchiveItemOfAnswerService[]) => {
    const completedAt = new Map<string, string | null>();
    if (items.length > 0) {
      const ids = items.map((item) => item.questionId).join(',');
      const completions = await projection({
        method: 'GET',
        path: `/internal/families/${familyId}/completions?questionIds=${ids}`,
        ...caller(c),
      });
      if (!completions.ok) return { refused: completions };
      const body = (await completions.json()) as { completions: Array<{ questionId: string; completedAt: string }> };
      for (const completion of body.completions) completedAt.set(completion.questionId, completion.completedAt);
    }
    return { items: items.map((item) => ({ ...item, completedAt: completedAt.get(item.questionId) ?? null })) };
  };
  return new OpenAPIHono<GatewayEnv>()
    .openapi(getCurrentQuestion, async (c) => {
      const familyId = segment(c.req.valid('param').familyId);
      const current = await answer({
        method: 'GET',
        path: `/internal/families/${familyId}/questions/current`,
        ...caller(c),
      });
      if (!current.ok) return forward(c, current);
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
      return c.json(
        {
          questionId: question.questionId,
          localDate: question.localDate,
          text: question.text,
          openedAt: question.openedAt,
          answeredBy,
          complete,
          answers: question.answers,
        },
        200,
      );
    })
    .openapi(listQuestions, async (c) => {
      const familyId = segment(c.req.valid('param').familyId);
      const { before, limit } = c.req.valid('query');
      const query = new URLSearchParams({ limit: String(limit), ...(before ? { before } : {}) });
      const page = await answer({
        method: 'GET',
        path: `/internal/families/${familyId}/questions?${query}`,
        ...caller(c),
      });
      if (!page.ok) return forward(c, page);
      const { items, nextCursor } = (await page.json()) as ArchivePageOfAnswerService;
      const completed = await withCompletions(c, familyId, items);
      if (completed.refused) return forward(c, completed.refused);
      return c.json({ items: completed.items, nextCursor }, 200);
    })
    .openapi(getQuestion, async (c) => {
      const { familyId, questionId } = c.req.valid('param');
      if (!isUuid(questionId)) throw new HaruError('not-found', 'no such question');
      const found = await answer({
        method: 'GET',
        path: `/internal/families/${segment(familyId)}/questions/${questionId}`,
        ...caller(c),
      });
      if (!found.ok) return forward(c, found);
      const question = (await found.json()) as ArchiveItemOfAnswerService;
      const completed = await withCompletions(c, segment(familyId), [question]);
      if (completed.refused) return forward(c, completed.refused);
      return c.json(completed.items[0] as (typeof completed.items)[number], 200);
    })
    .openapi(submitAnswer, async (c) => {
      const { text } = c.req.valid('json');
      const { familyId, questionId } = c.req.valid('param');
      // Only ids cross in a batch (uuid's check is the batch schema's `z.uuid()`): an answer
      // that names none is refused here, alone.
      if (!isUuid(familyId)) throw new HaruError('not-found', 'no such family');
      if (!isUuid(questionId)) throw new HaruError('not-found', 'no such question');
      return forward(c, await submit({ familyId, questionId, text, ...caller(c) }));
    });
}
