import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An FCM v1 message as the sender wrote it (token, data, notification, android, apns, ...). */
export type FcmMessage = { token?: string } & Record<string, unknown>;

export interface ReceivedFcmMessage {
  receivedAt: string;
  projectId: string;
  message: FcmMessage;
}

/** A send the endpoint refused, with the FCM error it answered. */
export interface RejectedFcmMessage extends ReceivedFcmMessage {
  status: number;
  errorCode: string;
}

export interface FcmEndpointOptions {
  host?: string;
  port?: number;
}

export interface FcmEndpoint {
  url: string;
  port: number;
  /** Accepted messages, oldest first. */
  messages(): ReceivedFcmMessage[];
  /** Refused sends, oldest first. */
  rejections(): RejectedFcmMessage[];
  stop(): Promise<void>;
}

interface Fault {
  httpStatus: number;
  status: string;
  errorCode: string;
  message: string;
  headers?: Record<string, string>;
}

const unregistered: Fault = {
  httpStatus: 404,
  status: 'NOT_FOUND',
  errorCode: 'UNREGISTERED',
  message: 'Requested entity was not found.',
};
const invalid: Fault = {
  httpStatus: 400,
  status: 'INVALID_ARGUMENT',
  errorCode: 'INVALID_ARGUMENT',
  message: 'The registration token is not a valid FCM registration token',
};
const unavailable: Fault = {
  httpStatus: 503,
  status: 'UNAVAILABLE',
  errorCode: 'UNAVAILABLE',
  message: 'The service is currently unavailable.',
  headers: { 'retry-after': '1' },
};

const sendPath = /^\/v1\/projects\/([^/]+)\/messages:send$/;
/** The longest request body taken, in characters. */
const maxBodyLength = 1024 * 1024;

/**
 * A stand-in for FCM's HTTP v1 send endpoint, so that the notifier runs firebase-admin's
 * own send path locally and tests can see exactly what would have reached devices.
 * Faults are chosen by token prefix: `unregistered-…` (404 UNREGISTERED), `invalid-…`
 * (400 INVALID_ARGUMENT) and `flaky-…` (503 UNAVAILABLE with Retry-After: 1 on the first
 * attempt for that token, success afterwards). Validate-only sends are answered but, as in
 * FCM, not delivered, so not recorded.
 */
export async function startFcmEndpoint({
  host = '127.0.0.1',
  port = 4010,
}: FcmEndpointOptions = {}): Promise<FcmEndpoint> {
  // Each accepted send as it arrived, its body kept as text: a burst leaves hundreds of
  // thousands here, and one string apiece (parsed only when they are read) keeps them out of
  // the way of the endpoint's garbage collector, which otherwise walks every message's objects.
  let accepted: StoredSend[] = [];
  let rejected: RejectedFcmMessage[] = [];
  let failedOnce = new Set<string>();

  const faultFor = (token: string | undefined): Fault | undefined => {
    if (!token) return undefined;
    if (token.startsWith('unregistered-')) return unregistered;
    if (token.startsWith('invalid-')) return invalid;
    if (token.startsWith('flaky-') && !failedOnce.has(token)) {
      failedOnce.add(token);
      return unavailable;
    }
    return undefined;
  };

  const send = async (request: IncomingMessage, response: ServerResponse, projectId: string) => {
    const text = await readBody(request);
    const receivedAt = Date.now();
    const body = parseJson(text);
    const message = isObject(body) ? body.message : undefined;
    if (!isObject(message)) {
      return reply(
        response,
        400,
        errorBody(400, 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'Request contains an invalid argument.'),
      );
    }
    const fault = faultFor(typeof message.token === 'string' ? message.token : undefined);
    if (fault) {
      const { httpStatus, status, errorCode } = fault;
      rejected.push({
        receivedAt: new Date(receivedAt).toISOString(),
        projectId,
        message: message as FcmMessage,
        status: httpStatus,
        errorCode,
      });
      return reply(response, httpStatus, errorBody(httpStatus, status, errorCode, fault.message), fault.headers);
    }
    if (isObject(body) && body.validate_only !== true) accepted.push({ receivedAt, projectId, body: text });
    reply(response, 200, { name: `projects/${projectId}/messages/${randomUUID()}` });
  };

  const server = createServer((request, response) => {
    const method = request.method ?? 'GET';
    const pathname = (request.url ?? '/').split('?', 1)[0] ?? '/';
    const project = sendPath.exec(pathname)?.[1];
    const handled = (async () => {
      if (method === 'POST' && project) return send(request, response, decodeURIComponent(project));
      if (method === 'GET' && pathname === '/messages') return reply(response, 200, { messages: accepted.map(read) });
      // How many so far, without the messages: a burst's hundreds of thousands are polled cheaply.
      if (method === 'GET' && pathname === '/messages/count') return reply(response, 200, { count: accepted.length });
      if (method === 'GET' && pathname === '/rejections') return reply(response, 200, { rejections: rejected });
      if (method === 'DELETE' && pathname === '/messages') {
        accepted = [];
        rejected = [];
        failedOnce = new Set();
        return reply(response, 204);
      }
      if (method === 'GET' && pathname === '/healthz') return reply(response, 200, { status: 'ok' });
      reply(response, 404, errorBody(404, 'NOT_FOUND', 'NOT_FOUND', `no route for ${method} ${pathname}`));
    })();
    handled.catch((error: unknown) => {
      if (response.headersSent) return response.destroy();
      const message = error instanceof Error ? error.message : String(error);
      reply(response, 400, errorBody(400, 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', message));
    });
  });

  server.listen(port, host);
  await once(server, 'listening');
  const actualPort = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${actualPort}`,
    port: actualPort,
    messages: () => accepted.map(read),
    rejections: () => structuredClone(rejected),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** An accepted send as stored: when it arrived (ms), and the request body as received. */
interface StoredSend {
  receivedAt: number;
  projectId: string;
  body: string;
}

const read = ({ receivedAt, projectId, body }: StoredSend): ReceivedFcmMessage => ({
  receivedAt: new Date(receivedAt).toISOString(),
  projectId,
  message: (JSON.parse(body) as { message: FcmMessage }).message,
});

function errorBody(code: number, status: string, errorCode: string, message: string) {
  return {
    error: {
      code,
      message,
      status,
      details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode }],
    },
  };
}

function reply(response: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) {
  if (body === undefined) {
    response.writeHead(status, headers).end();
    return;
  }
  response
    .writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers })
    .end(JSON.stringify(body));
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    // Read to the end either way, so that the refusal can still be answered.
    request.on('data', (chunk: string) => {
      if (text.length <= maxBodyLength) text += chunk;
    });
    request.on('end', () =>
      text.length > maxBodyLength ? reject(new Error('request body too large')) : resolve(text),
    );
    request.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error('request body is not JSON');
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
