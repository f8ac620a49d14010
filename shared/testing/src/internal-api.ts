import { randomUUID } from 'node:crypto';
import { callerUidHeader } from '@haru/contracts';
import { serviceTokenHeader } from '@haru/http';

/**
 * Calls a service's internal API as the gateway does (service credential, caller uid),
 * for tests; resolves with the status and the parsed body.
 */
export const internalApi =
  (serviceUrl: string, internalApiToken: string) =>
  async (uid: string | null, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${serviceUrl}/internal${path}`, {
      method,
      headers: {
        [serviceTokenHeader]: internalApiToken,
        ...(uid ? { [callerUidHeader]: uid } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as any };
  };

export type InternalCall = ReturnType<typeof internalApi>;

/**
 * One member's answer through the answer service's internal API, as the gateway hands it
 * over (a batch, here of one); resolves with that answer's outcome (status and body), or
 * with the response itself when the call as a whole was refused.
 */
export const answerThrough =
  (call: InternalCall) =>
  async (
    uid: string,
    { familyId, questionId, text, correlationId = randomUUID() }: AnswerSpec,
    // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  ): Promise<{ status: number; body: any }> => {
    const response = await call(null, 'POST', '/answers', {
      answers: [{ familyId, questionId, uid, correlationId, text }],
    });
    return response.status === 200 ? response.body.outcomes[0] : response;
  };

interface AnswerSpec {
  familyId: string;
  questionId: string;
  text: string;
  correlationId?: string;
}
