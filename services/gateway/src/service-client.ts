import { callerUidHeader, correlationIdHeader } from '@haru/contracts';
import { HaruError } from '@haru/errors';
import { serviceTokenHeader } from '@haru/http';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { Pool } from 'undici';

export interface ServiceCall {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  /** The verified caller the call acts for; a call for several (answers) names each in its body. */
  uid?: string;
  /** The app request's; a call for several requests gets its own from the service. */
  correlationId?: string;
  body?: unknown;
  /** Request headers the service needs besides identity (e.g. Idempotency-Key). */
  headers?: Record<string, string>;
}

/** A service's answer, read whole: the internal APIs answer with small JSON documents. */
export interface ServiceResponse {
  status: number;
  ok: boolean;
  contentType: string | undefined;
  body: Buffer;
  json(): Promise<unknown>;
}

export type ServiceClient = (call: ServiceCall) => Promise<ServiceResponse>;

const timeoutMs = 10_000;

/**
 * Calls a service's internal API as the verified caller, with the gateway's service
 * credential and the request's correlation id, over connections kept alive between calls.
 * undici's own request API rather than fetch or node:http: every app request makes such a
 * call, and fetch's WHATWG requests and streams, or node:http's ClientRequest, cost the
 * gateway more CPU than the rest of the request (docs/decisions/0002).
 * A service that does not answer, or refuses the credential (401: haru's fault, not the
 * app's — during a credential rotation, say), is a 503 for the app: try again shortly.
 */
export function serviceClient(baseUrl: string, serviceToken: string): ServiceClient {
  const pool = new Pool(new URL(baseUrl).origin, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  return async ({ method, path, uid, correlationId, body, headers = {} }) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    try {
      const response = await pool.request({
        method,
        path,
        headers: {
          ...headers,
          [serviceTokenHeader]: serviceToken,
          ...(uid === undefined ? {} : { [callerUidHeader]: uid }),
          ...(correlationId === undefined ? {} : { [correlationIdHeader]: correlationId }),
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: payload,
      });
      const answer = Buffer.from(await response.body.arrayBuffer());
      if (response.statusCode === 401) {
        throw new HaruError('unavailable', 'a haru service is being reconfigured; try again shortly');
      }
      const contentType = response.headers['content-type'];
      return serviceResponse(response.statusCode, Array.isArray(contentType) ? contentType[0] : contentType, answer);
    } catch (error) {
      if (error instanceof HaruError) throw error;
      throw new HaruError('unavailable', 'a haru service did not answer; try again shortly', {}, { cause: error });
    }
  };
}

export const serviceResponse = (status: number, contentType: string | undefined, body: Buffer): ServiceResponse => ({
  status,
  ok: status >= 200 && status < 300,
  contentType,
  body,
  json: async () => JSON.parse(body.toString('utf8')),
});

/**
 * Relays a service's answer as-is (its status, and its JSON or problem body), through the
 * context so that the headers set on it (the correlation id) go with it. It is typed as one
 * of the responses its route declares (`Relayed`, inferred from the route): the services'
 * answers are not parsed again here; the tests check each against the OpenAPI document.
 */
export function relay<Relayed = Response>(c: Context, response: ServiceResponse): Relayed {
  const headers: Record<string, string> = response.contentType ? { 'content-type': response.contentType } : {};
  if (response.status === 204) return c.body(null, 204, headers) as Relayed;
  // Read off a socket into Buffer.concat's own ArrayBuffer (never a shared one).
  return c.body(response.body as Uint8Array<ArrayBuffer>, response.status as ContentfulStatusCode, headers) as Relayed;
}
