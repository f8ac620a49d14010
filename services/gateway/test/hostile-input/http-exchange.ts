import { Agent, request } from 'node:http';
import { connect } from 'node:net';

/** A request as it goes on the wire: the path is sent as written (already encoded, or not). */
export interface WireRequest {
  /** Where to send it, e.g. http://127.0.0.1:8080. */
  baseUrl: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer | undefined;
  /** Send the body chunked, without a Content-Length. */
  chunked?: boolean | undefined;
}

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

/**
 * Sends a request with node:http rather than fetch: fetch would normalise the path,
 * refuse some header values and add its own headers; node:http sends nearly what it is given.
 */
export function send({ baseUrl, method, path, headers, body, chunked = false }: WireRequest): Promise<WireResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        agent,
        host: hostname,
        port,
        method,
        path,
        headers: {
          ...headers,
          ...(body && !chunked ? { 'content-length': String(body.length) } : {}),
        },
        timeout: 15_000,
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', reject);
        incoming.on('end', () => {
          const flat: Record<string, string> = {};
          for (const [name, value] of Object.entries(incoming.headers)) {
            if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          resolve({ status: incoming.statusCode ?? 0, headers: flat, body: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`${method} ${path} got no answer within 15 s`)));
    outgoing.on('error', reject);
    if (body && chunked) {
      // Two chunks, so that the body really arrives in pieces.
      const middle = Math.floor(body.length / 2);
      outgoing.write(body.subarray(0, middle));
      outgoing.end(body.subarray(middle));
    } else {
      outgoing.end(body);
    }
  });
}

/**
 * Writes raw bytes to the server, as a broken client would, and reads whatever comes back
 * until the server closes the connection; `undefined` when it answered nothing.
 */
export function sendRaw(baseUrl: string, bytes: Buffer): Promise<WireResponse | undefined> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    socket.setTimeout(15_000, () => socket.destroy(new Error('the server neither answered nor closed within 15 s')));
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      const response = parseResponse(Buffer.concat(chunks));
      // One complete response is all a broken request gets.
      if (response?.complete) socket.destroy();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A server may reset a connection that sent garbage: that is an answer too.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE')
        resolve(parseResponse(Buffer.concat(chunks))?.response);
      else reject(error);
    });
    socket.on('close', () => resolve(parseResponse(Buffer.concat(chunks))?.response));
    // Half-close after writing: a request cut short ends in a parse error, not a wait.
    socket.end(bytes);
  });
}

function parseResponse(raw: Buffer): { response: WireResponse; complete: boolean } | undefined {
  const headerEnd = raw.indexOf('\r\n\r\n');
  if (headerEnd < 0) return undefined;
  const [statusLine = '', ...lines] = raw.subarray(0, headerEnd).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = raw.subarray(headerEnd + 4);
  const length = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
  return {
    response: { status, headers, body: body.toString('utf8') },
    complete: length !== undefined && body.length >= length,
  };
}
