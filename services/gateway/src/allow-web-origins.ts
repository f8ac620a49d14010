import { correlationIdHeader } from '@haru/contracts';
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

/**
 * Lets web apps served from `origins` call the app API from a browser (CORS): a preflight
 * is answered before authentication, which a browser never sends with it, and the answers
 * name the origin so that the page may read them, refusals included. The headers a page may
 * send are those the API reads; those it may read are the correlation id, `Retry-After` on
 * a 429 or 503, and `Allow` on a 405. Another origin gets no CORS header, so its browser
 * keeps the answer from it; with no origins, no request gets one (nor is a preflight answered).
 */
export function allowWebOrigins(origins: readonly string[]): MiddlewareHandler {
  if (origins.length === 0) return (_c, next) => next();
  return cors({
    origin: [...origins],
    allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowHeaders: ['authorization', 'content-type', 'idempotency-key', correlationIdHeader],
    exposeHeaders: [correlationIdHeader, 'retry-after', 'allow'],
    // Browsers cap it lower (Chromium at two hours); a day says "as long as you keep it".
    maxAge: 86_400,
  });
}
