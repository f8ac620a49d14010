import { callerUidHeader, correlationIdHeader } from '@haru/contracts';
import { serviceTokenHeader } from '@haru/http';

export interface ServiceCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  uid: string;
  correlationId: string;
  body?: unknown;
  /** Request headers the service needs besides identity (e.g. Idempotency-Key). */
  headers?: Record<string, string>;
}

export type ServiceClient = (call: ServiceCall) => Promise<Response>;

/**
 * Calls a service's internal API as the verified caller, with the gateway's service
 * credential and the request's correlation id.
 */
export function serviceClient(baseUrl: string, serviceToken: string): ServiceClient {
  return async ({ method, path, uid, correlationId, body, headers = {} }) =>
    fetch(new URL(path, baseUrl), {
      method,
      headers: {
        ...headers,
        [serviceTokenHeader]: serviceToken,
        [callerUidHeader]: uid,
        [correlationIdHeader]: correlationId,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
}

/** Relays a service's answer as-is (its status, and its JSON or problem body). */
export async function relay(response: Response): Promise<Response> {
  const headers = new Headers();
  const contentType = response.headers.get('content-type');
  if (contentType) headers.set('content-type', contentType);
  const body = response.status === 204 ? null : await response.arrayBuffer();
  return new Response(body, { status: response.status, headers });
}
