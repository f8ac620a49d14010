import { HaruError } from '@haru/errors';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

/**
 * Refuses request bodies over `maxBytes` with 413. A request that declares its length is
 * judged by the declaration (Node's parser never reads past Content-Length, and refuses a
 * malformed one); only a chunked body is counted as it arrives, by Hono's bodyLimit. Hono's
 * bodyLimit alone would open the request's body stream on every request, turning the Node
 * adapter's lightweight request into a WHATWG Request read through a web stream, which
 * costs the gateway more CPU per answer than the answer itself.
 */
export function limitBody(maxBytes: number): MiddlewareHandler {
  const tooLarge = (): never => {
    throw new HaruError('too-large', `send at most ${maxBytes} bytes`);
  };
  const countChunked = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return async function limitedBody(c, next) {
    if (c.req.header('transfer-encoding') !== undefined) return countChunked(c, next);
    if (Number(c.req.header('content-length') ?? 0) > maxBytes) tooLarge();
    await next();
  };
}
