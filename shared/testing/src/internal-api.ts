import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { callerUidHeader } from '@haru/contracts';
import { serviceTokenHeader } from '@haru/http';

/** A running service's URL, or an app's own `request` (Hono's) to call it in this process. */
export type InternalApiTarget = string | ((path: string, init: RequestInit) => Response | Promise<Response>);

/**
 * Calls a service's internal API as the gateway does (service credential, caller uid),
 * for tests; resolves with the status and the parsed body.
 */
export const internalApi =
  (target: InternalApiTarget, internalApiToken: string) =>
  async (uid: string | null, method: string, path: string, body?: unknown) => {
    const send =
      typeof target === 'string' ? (url: string, init: RequestInit) => fetch(`${target}${url}`, init) : target;
    const response = await send(`/internal${path}`, {
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
 * The family "Parks" founded through the answer service's internal API by `founder` ("Dad", a
 * parent), in Seoul, questions at 20:00; fails the test unless it is created.
 */
export async function foundFamily(
  call: InternalCall,
  founder: string,
): Promise<{ familyId: string; inviteCode: string; memberId: string }> {
  const created = await call(founder, 'POST', '/families', {
    name: 'Parks',
    timezone: 'Asia/Seoul',
    pushTime: '20:00',
    member: { role: 'parent', displayName: 'Dad' },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body;
}

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
