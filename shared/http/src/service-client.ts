import { callerUidHeader, correlationIdHeader } from '@haru/contracts';
import { HaruError } from '@haru/errors';
import { Pool } from 'undici';
import { serviceTokenHeader } from './require-service-token.ts';

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
  /**
   * The service answers this write sent twice as it answered it once (an upsert; a removal
   * that succeeds when already done), so it may be sent once more (see `repeatable`).
   */
  sameWhenRepeated?: true;
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
 * A call that may be sent twice: a read, a write the service answers once per
 * Idempotency-Key (a second sending gets the first one's answer), or one the caller says the
 * service answers the same when repeated.
 */
const repeatable = ({ method, headers = {}, sameWhenRepeated }: ServiceCall) =>
  method === 'GET' ||
  sameWhenRepeated === true ||
  Object.keys(headers).some((name) => name.toLowerCase() === 'idempotency-key');

/**
 * The connection failed under the call: most often one kept alive that the service closed
 * (its idle timeout, or a restart) as the call went out on it, so that the service never
 * read it. Not a refused connection: nothing listens there, and a second try would only wait.
 */
const connectionLost = (error: unknown) =>
  ['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE'].includes((error as { code?: unknown } | null)?.code as string);

/**
 * Calls another haru service's internal API with this service's credential, as the
 * verified caller when there is one, and with the request's correlation id, over
 * connections kept alive between calls. undici's own request API rather than fetch or
 * node:http: the gateway makes such a call for every app request, and fetch's WHATWG
 * requests and streams, or node:http's ClientRequest, cost more CPU than the rest of the
 * request (docs/decisions/0002). A call that may be sent twice (`repeatable`) is sent once
 * more, on another connection, when its connection is lost under it. A service that does
 * not answer, or refuses the credential (401: haru's fault, not the caller's — during a
 * credential rotation, say), is an `unavailable` error: a 503 for the app, a retry for a tick.
 */
export function serviceClient(baseUrl: string, serviceToken: string): ServiceClient {
  const pool = new Pool(new URL(baseUrl).origin, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  return async (call) => {
    const { method, path, uid, correlationId, body, headers = {} } = call;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const request = {
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
    };
    try {
      const response = await pool.request(request).catch((error: unknown) => {
        if (repeatable(call) && connectionLost(error)) return pool.request(request);
        throw error;
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
