import { HaruError } from '@haru/errors';
import type { ZodError } from 'zod';

/** What the app sends that can be wrong in several places at once: each is named in `errors`. */
const namedInput: Record<string, string> = { json: 'the body', query: 'the query string' };

/**
 * What a route answers when its declared input does not match (the routes' `defaultHook`):
 * a body or a query string that does not match its schema is a 400 naming each field or
 * parameter that is wrong (`member.role`, `limit`); a path parameter that does not, a 400
 * with its schema's own message.
 */
export function refuseInvalidInput(result: { success: true } | { success: false; error: ZodError; target: string }) {
  if (result.success) return;
  const { issues } = result.error;
  const input = namedInput[result.target];
  if (input) {
    throw new HaruError('invalid', `${input} does not match the expected shape`, {
      errors: issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    });
  }
  throw new HaruError('invalid', issues[0]?.message ?? `the ${result.target} is not valid`);
}
