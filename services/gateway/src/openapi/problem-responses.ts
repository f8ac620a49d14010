import { type ProblemKind, problemKinds } from '@haru/errors';
import { z } from 'zod';

/** Every refusal and failure of the app API: an RFC 9457 problem document. */
export const problemSchema = z
  .object({
    type: z.string().meta({ description: 'what kind of problem: a URI naming it (`about:blank` for a 500)' }),
    title: z.string().meta({ description: 'the kind, in words; the same for every problem of a type' }),
    status: z.number().int().min(400).max(599).meta({ description: 'the HTTP status' }),
    detail: z.string().meta({ description: 'this occurrence, in words a developer can act on' }),
    errors: z
      .array(z.strictObject({ path: z.string(), message: z.string() }))
      .optional()
      .meta({
        description:
          'for an invalid body or query string: each field or parameter that is wrong (`member.role`, `limit`), and why',
      }),
  })
  .meta({ id: 'Problem', description: 'An RFC 9457 problem document; more members may be added.' });

/** The problem statuses the app API gives: what each means, and an example of its document's detail. */
const meaning = {
  400: [
    'The request is not valid: a body or query string that does not match its schema, malformed JSON, or a malformed path parameter.',
    'the body does not match the expected shape',
  ],
  401: ['No valid Firebase ID token was sent.', 'send a Firebase ID token as Authorization: Bearer <token>'],
  403: ['The caller may not do this (a child changing the schedule).', 'only parents change the schedule'],
  404: ['No such resource, or one the caller does not belong to (its existence is not revealed).', 'no such family'],
  409: ['The request conflicts with the current state.', 'this question is no longer open'],
  413: ['The body is larger than the gateway accepts.', 'send at most 16384 bytes'],
  415: ['The body is not sent as application/json.', 'send the body as application/json'],
  422: [
    'The Idempotency-Key was used before with another body.',
    'this Idempotency-Key was used for a different request',
  ],
  429: [
    'Too many requests from this member this minute; retry after Retry-After seconds.',
    'at most 120 requests a minute; retry after Retry-After seconds',
  ],
  500: ["Something went wrong on haru's side.", 'Something went wrong on our side.'],
  503: [
    'A haru service behind the gateway is unavailable; try again shortly.',
    'a haru service did not answer; try again shortly',
  ],
} satisfies Record<number, [description: string, detail: string]>;

type ProblemStatus = keyof typeof meaning;

const kindOf = (status: ProblemStatus): ProblemKind | undefined =>
  (Object.keys(problemKinds) as ProblemKind[]).find((kind) => problemKinds[kind].status === status);

const retryAfter = {
  'Retry-After': {
    description: 'seconds until the member may send again',
    schema: { type: 'integer' as const, minimum: 1 },
  },
};

function problemResponse(status: ProblemStatus) {
  const [description, detail] = meaning[status];
  // A 500 is no kind of haru's: its document reveals nothing (`internalErrorDocument`).
  const kind = kindOf(status);
  const example = kind
    ? { type: `https://haru.app/problems/${kind}`, title: problemKinds[kind].title, status, detail }
    : { type: 'about:blank', title: 'Internal Server Error', status, detail };
  return {
    description,
    ...(status === 429 ? { headers: retryAfter } : {}),
    content: { 'application/problem+json': { schema: problemSchema, example } },
  };
}

/** The problem responses an operation can give, by status, each with the one Problem schema. */
export function problemResponses<const Status extends ProblemStatus>(
  ...statuses: Status[]
): Record<Status, ReturnType<typeof problemResponse>> {
  return Object.fromEntries(statuses.map((status) => [status, problemResponse(status)])) as Record<
    Status,
    ReturnType<typeof problemResponse>
  >;
}

/** What every `/v1` route can answer: no token, too many requests, and haru's own trouble. */
export const everyRouteProblems = [401, 429, 500, 503] as const;

/** What every route that takes a JSON body can answer besides. */
export const bodyProblems = [400, 413, 415] as const;
