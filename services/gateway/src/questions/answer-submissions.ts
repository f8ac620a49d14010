import { type BatchOptions, batches } from '@haru/batching';
import { type AnswerInBatch, type AnswerOutcome, maxAnswersPerBatch } from '@haru/contracts';
import { type ServiceClient, type ServiceResponse, serviceResponse } from '@haru/http';

/**
 * Hands members' answers to the answer service in batches (`batches`): answers that arrive
 * while a call is under way go together in the next one, so that a busy gateway makes one
 * internal request for many answers, and the answer service writes them as one batch. Each
 * answer gets back the response its app request is to receive. Should the service refuse
 * the call as a whole (unavailable, say), every answer in it gets that refusal.
 *
 * Two calls at a time by default: while the service writes one batch, it already reads
 * and checks the next (a small gain in the ingest benchmark; docs/benchmarks.md).
 */
export function answerSubmissions(
  answer: ServiceClient,
  { inFlight = 2 }: Pick<BatchOptions, 'inFlight'> = {},
): (submission: AnswerInBatch) => Promise<ServiceResponse> {
  return batches(
    async (answers): Promise<Array<PromiseSettledResult<ServiceResponse>>> => {
      const response = await answer({ method: 'POST', path: '/internal/answers', body: { answers } });
      if (!response.ok) return answers.map(() => ({ status: 'fulfilled', value: response }));
      const { outcomes } = (await response.json()) as { outcomes: AnswerOutcome[] };
      return outcomes.map(({ status, body }) => ({
        status: 'fulfilled',
        value: serviceResponse(
          status,
          status >= 400 ? 'application/problem+json' : 'application/json',
          Buffer.from(JSON.stringify(body)),
        ),
      }));
    },
    // A call takes no more answers than the service accepts in one.
    { inFlight, maxSize: maxAnswersPerBatch },
  );
}
