import http from 'node:http';
import https from 'node:https';
import { callerUidHeader, correlationIdHeader } from '@haru/contracts';
import { HaruError } from '@haru/errors';
import { serviceTokenHeader } from '@haru/http';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export interface ServiceCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  uid: string;
  correlationId: string;
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
 * Node's HTTP client rather than fetch: every app request makes such a call, and fetch's
 * WHATWG requests, headers and streams cost the gateway more CPU than the rest of it.
 * A service that does not answer, or refuses the credential (401: haru's fault, not the
 * app's — during a credential rotation, say), is a 503 for the app: try again shortly.
 */
export function serviceClient(baseUrl: string, serviceToken: string): ServiceClient {
  const base = new URL(baseUrl);
  const transport = base.protocol === 'https:' ? https : http;
  const agent = new transport.Agent({ keepAlive: true });
  return ({ method, path, uid, correlationId, body, headers = {} }) =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const request = transport.request(
        new URL(path, base),
        {
          method,
          agent,
          timeout: timeoutMs,
          headers: {
            ...headers,
            [serviceTokenHeader]: serviceToken,
            [callerUidHeader]: uid,
            [correlationIdHeader]: correlationId,
            ...(payload === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            if (response.statusCode === 401) {
              reject(new HaruError('unavailable', 'a haru service is being reconfigured; try again shortly'));
              return;
            }
            resolve(
              serviceResponse(response.statusCode ?? 502, response.headers['content-type'], Buffer.concat(chunks)),
            );
          });
        },
      );
      request.on('timeout', () => request.destroy(new Error(`${method} ${path}: no answer in ${timeoutMs} ms`)));
      request.on('error', (error) =>
        reject(new HaruError('unavailable', 'a haru service did not answer; try again shortly', {}, { cause: error })),
      );
      request.end(payload);
    });
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
 * context so that the headers set on it (the correlation id) go with it.
 */
export function relay(c: Context, response: ServiceResponse): Response {
  const headers: Record<string, string> = response.contentType ? { 'content-type': response.contentType } : {};
  if (response.status === 204) return c.body(null, 204, headers);
  // Read off a socket into Buffer.concat's own ArrayBuffer (never a shared one).
  return c.body(response.body as Uint8Array<ArrayBuffer>, response.status as ContentfulStatusCode, headers);
}
