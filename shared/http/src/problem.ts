import { HaruError, type ProblemKind, problemKinds } from '@haru/errors';
import type { Logger } from '@haru/observability';
import type { Context, ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { validator } from 'hono/validator';
import type { z } from 'zod';

/** An RFC 9457 problem document. */
export function problemOf(kind: ProblemKind, detail: string, extensions: Record<string, unknown> = {}) {
  const { status, title } = problemKinds[kind];
  return { type: `https://haru.app/problems/${kind}`, title, status, detail, ...extensions };
}

/** An RFC 9457 problem document's text. */
export const problemDocument = (kind: ProblemKind, detail: string, extensions: Record<string, unknown> = {}): string =>
  JSON.stringify(problemOf(kind, detail, extensions));

/** An RFC 9457 problem response. */
export function problemJson(c: Context, kind: ProblemKind, detail: string, extensions: Record<string, unknown> = {}) {
  return c.body(problemDocument(kind, detail, extensions), problemKinds[kind].status, {
    'content-type': 'application/problem+json',
  });
}

/** The body of every 500: it reveals nothing (the log has the details). */
export const internalErrorDocument = JSON.stringify({
  type: 'about:blank',
  title: 'Internal Server Error',
  status: 500,
  detail: 'Something went wrong on our side.',
});

/**
 * The one place where errors become HTTP responses. Known errors keep their meaning;
 * anything else is a 500 whose body reveals nothing (the log has the details).
 */
export const problemHandler =
  (logger: Logger): ErrorHandler =>
  (error, c) => {
    if (error instanceof HaruError) {
      // The caller is told to come back; the operator needs to know why.
      if (problemKinds[error.kind].status >= 500) {
        logger.warn({ err: error.cause ?? error, method: c.req.method, path: c.req.path }, error.message);
      }
      return problemJson(c, error.kind, error.message, error.extensions);
    }
    if (error instanceof HTTPException) {
      const kind = kindForStatus(error.status);
      if (kind) return problemJson(c, kind, error.message || problemKinds[kind].title);
    }
    if (error instanceof SyntaxError) return problemJson(c, 'invalid', 'the body is not valid JSON');
    logger.error({ err: error, method: c.req.method, path: c.req.path }, 'unhandled error');
    return c.body(internalErrorDocument, 500, { 'content-type': 'application/problem+json' });
  };

const kindForStatus = (status: number): ProblemKind | undefined =>
  (Object.keys(problemKinds) as ProblemKind[]).find((kind) => problemKinds[kind].status === status);

/** The media types Hono's JSON validator parses (any other leaves the body unread). */
const jsonMediaType = /^application\/([\w.-]+\+)?json$/i;

/** Refuses with 415 a body not sent as JSON (by its `content-type`), which would be left unread. */
export function requireJsonMediaType(contentType: string | undefined): void {
  const mediaType = (contentType?.split(';')[0] ?? '').trim();
  if (!jsonMediaType.test(mediaType))
    throw new HaruError('unsupported-media-type', 'send the body as application/json');
}

/**
 * Validates a JSON body as route middleware (so its type reaches `c.req.valid('json')`
 * and Hono's typed client). A non-JSON content type (415), malformed JSON (400) and a
 * body that does not match the schema (400; strict schemas reject unknown fields) each
 * raise a specific problem; the handler never runs on a body that did not pass.
 */
export const jsonBody = <Schema extends z.ZodType>(schema: Schema) =>
  validator('json', (value, c): z.infer<Schema> => {
    requireJsonMediaType(c.req.header('content-type'));
    const result = schema.safeParse(value);
    if (!result.success) {
      throw new HaruError('invalid', 'the body does not match the expected shape', {
        errors: result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
      });
    }
    return result.data;
  });
