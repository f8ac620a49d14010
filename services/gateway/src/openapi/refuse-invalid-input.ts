import { HaruError } from '@haru/errors';
import type { ZodError } from 'zod';

/**
 * What a route answers when its declared input does not match (the routes' `defaultHook`):
 * a body that does not match its schema is a 400 naming each field that is wrong; a path
 * parameter that does not, a 400 with its schema's own message.
 */
export function refuseInvalidInput(result: { success: true } | { success: false; error: ZodError; target: string }) {
  if (result.success) return;
  const { issues } = result.error;
  if (result.target === 'json') {
    throw new HaruError('invalid', 'the body does not match the expected shape', {
      errors: issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    });
  }
  throw new HaruError('invalid', issues[0]?.message ?? `the ${result.target} is not valid`);
}
