import { createServer, type ServerResponse, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { problemKinds } from '@haru/errors';
import { getRequestListener, RequestError } from '@hono/node-server';
import { internalErrorDocument, problemDocument } from './problem.ts';

export interface RunningServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Why a server cannot listen, for the errors a setting (PORT, HOST) or another process causes. */
const listenFailures: Record<string, string> = {
  EADDRINUSE: 'another process is listening there',
  EACCES: 'not permitted to listen there',
  EADDRNOTAVAIL: 'not an address of this machine',
};

/**
 * How long a connection may sit idle before the server closes it: longer than whatever is in
 * front of it keeps one (the AWS load balancer and the Service Connect proxy, which infra/
 * sets 5 s shorter), so that it is always the one in front that closes. A server closing
 * first races the next request sent on the connection, which then fails (a 502 at the load
 * balancer). Node's default is 5 s.
 */
export const keepAliveTimeoutMs = 65_000;

/**
 * Serves a Hono app on Node's HTTP server, keeping idle connections `keepAliveTimeoutMs`;
 * resolves once it is listening. Closing it answers the requests under way and then closes
 * every connection, without waiting out the keep-alive. Requests refused before the app sees
 * them — by Node's HTTP parser (malformed request, headers too large) or by the adapter (a
 * request target or Host it cannot make a URL of) — get a problem document like every other
 * refusal, rather than an empty or plain-text 400. Rejects, saying why in a sentence, when it
 * cannot listen (the port is taken).
 */
export function serveApp(
  app: { fetch: (request: Request) => Response | Promise<Response> },
  { port, host }: { port: number; host: string },
): Promise<RunningServer> {
  const listener = getRequestListener(app.fetch, {
    hostname: host,
    errorHandler: (error) =>
      error instanceof RequestError
        ? new Response(problemDocument('invalid', 'the request target or Host header is malformed'), {
            status: 400,
            headers: { 'content-type': 'application/problem+json' },
          })
        : new Response(internalErrorDocument, { status: 500, headers: { 'content-type': 'application/problem+json' } }),
  });
  /** Responses not yet finished: when the server closes, their connections are closed after them. */
  const inFlight = new Set<ServerResponse>();
  // Node would refuse an HTTP/1.1 request without Host (RFC 9112 §3.2) with an empty 400; this says why.
  const server = createServer(
    { requireHostHeader: false, keepAliveTimeout: keepAliveTimeoutMs },
    (incoming, outgoing) => {
      if (incoming.httpVersion === '1.1' && incoming.headers.host === undefined) {
        const body = problemDocument('invalid', 'an HTTP/1.1 request needs a Host header');
        outgoing.writeHead(400, {
          'content-type': 'application/problem+json',
          'content-length': Buffer.byteLength(body),
          connection: 'close',
        });
        outgoing.end(body);
        return;
      }
      inFlight.add(outgoing);
      outgoing.once('close', () => inFlight.delete(outgoing));
      void listener(incoming, outgoing);
    },
  );
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const kind =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? 'headers-too-large'
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? 'request-timeout'
          : 'invalid';
    const body = problemDocument(kind, kind === 'invalid' ? 'the request is not valid HTTP' : problemKinds[kind].title);
    const { status } = problemKinds[kind];
    // A response to HEAD has no body; the method shows when the failing packet holds the request line.
    const head = (error as { rawPacket?: Buffer }).rawPacket?.subarray(0, 5).toString('latin1') === 'HEAD ';
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${head ? '' : body}`,
    );
  });
  return new Promise((resolve, reject) => {
    const cannotListen = (error: NodeJS.ErrnoException) =>
      reject(new Error(`cannot listen on ${host}:${port}: ${listenFailures[error.code ?? ''] ?? error.message}`));
    server.once('error', cannotListen);
    server.listen(port, host, () => {
      server.off('error', cannotListen);
      const { port: listening } = server.address() as AddressInfo;
      resolve({
        port: listening,
        url: `http://${host}:${listening}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
            // A connection busy now would otherwise be kept open for the whole keep-alive once
            // its response is sent, and hold the close that long (Node closes only the idle
            // ones): the response says it closes, or, its headers gone, it is closed once idle.
            for (const response of inFlight) {
              if (!response.headersSent) response.setHeader('connection', 'close');
              else response.once('finish', () => setImmediate(() => server.closeIdleConnections()));
            }
          }),
      });
    });
  });
}
