// A route's side of a call to a service: whom it acts for, the path it names, and the
// service's answer forwarded to the app.
import type { ServiceResponse } from '@haru/http';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * Forwards a service's answer as-is (its status, and its JSON or problem body), through the
 * context so that the headers set on it (the correlation id) go with it. It is typed as one
 * of the responses its route declares (`Forwarded`, inferred from the route): the services'
 * answers are not parsed again here; the tests check each against the OpenAPI document.
 */
export function forward<Forwarded = Response>(c: Context, response: ServiceResponse): Forwarded {
  const headers: Record<string, string> = response.contentType ? { 'content-type': response.contentType } : {};
  if (response.status === 204) return c.body(null, 204, headers) as Forwarded;
  // Read off a socket into Buffer.concat's own ArrayBuffer (never a shared one).
  return c.body(
    response.body as Uint8Array<ArrayBuffer>,
    response.status as ContentfulStatusCode,
    headers,
  ) as Forwarded;
}

/** Who a service call acts for: the verified caller and the app request's correlation id. */
export const caller = (c: { get(key: 'uid' | 'correlationId'): string }) => ({
  uid: c.get('uid'),
  correlationId: c.get('correlationId'),
});

/** A path parameter, safely placed into an internal URL. */
export const segment = (value: string): string => encodeURIComponent(value);
