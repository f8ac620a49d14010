import { type AnswerInBatch, type AnswerOutcome, answerBatchSchema } from '@haru/contracts';
import type { Database } from '@haru/db';
import { HaruError } from '@haru/errors';
import { jsonBody, problemOf } from '@haru/http';
import type { Logger } from '@haru/observability';
import { Hono } from 'hono';
import type { AnswerDatabase } from '../database.ts';
import { contextOfRequest } from '../request-context.ts';
import { questionCommands } from './question.repository.ts';

/**
 * Members' answers, as the gateway hands them over: several app requests in one call, so
 * that a busy gateway spends one internal request on many answers (docs/architecture.md).
 * Each answer is judged on its own and gets its own outcome, in order: 201 with the answer
 * when it is new, 200 when the same answer was already given (a retry), or the problem its
 * app request is to receive. Answers of one call are written together (`questionCommands`).
 */
export function answerRoutes(database: Database<AnswerDatabase>, logger: Logger) {
  const runQuestionCommand = questionCommands(database);

  async function submit({ familyId, questionId, uid, correlationId, text }: AnswerInBatch): Promise<AnswerOutcome> {
    try {
      const now = new Date();
      const appended = await runQuestionCommand(
        familyId,
        { type: 'SubmitAnswer', data: { questionId, uid, text }, metadata: { now } },
        contextOfRequest(correlationId, now),
      );
      return { status: appended.length > 0 ? 201 : 200, body: { questionId, text } };
    } catch (error) {
      // Anything but a refusal (the database gone, say) fails the whole call: see problemHandler.
      if (!(error instanceof HaruError)) throw error;
      const problem = problemOf(error.kind, error.message, error.extensions);
      return { status: problem.status, body: problem };
    }
  }

  return new Hono().post('/', jsonBody(answerBatchSchema), async (c) => {
    const { answers } = c.req.valid('json');
    // Given in one turn, the answers go to the event store as one batch.
    const outcomes = await Promise.all(answers.map(submit));
    // One line per answer, under its own request's correlation id, as the gateway logs it.
    answers.forEach(({ familyId, questionId, correlationId }, index) => {
      logger.info({ familyId, questionId, status: outcomes[index]?.status, correlationId }, 'answer');
    });
    return c.json({ outcomes });
  });
}
