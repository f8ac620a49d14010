import { randomUUID } from 'node:crypto';
import { Agent } from 'node:https';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { applicationDefault, type Credential, deleteApp, initializeApp } from 'firebase-admin/app';
import { getMessaging, type Messaging } from 'firebase-admin/messaging';

export interface FirebaseMessagingOptions {
  projectId: string;
  /** A local FCM v1-compatible endpoint (http://host:port); unset means real FCM. */
  fcmEndpointUrl?: string | undefined;
  /** Kept-alive connections to the local endpoint (see `localConnections`). */
  connections?: number;
}

/**
 * Connections to the local endpoint, kept alive and shared by every `sendEach` of one Firebase
 * app (each send thread has its own, see send-threads.ts). A
 * `sendEach` starts all its (≤ 500) requests at once; a keep-alive agent without a bound
 * opens a socket for each and keeps only 256 free ones afterwards, so a burst opens
 * thousands. Bounded, the same connections carry every call, as FCM's HTTP/2 connection
 * carries a whole call. Over HTTP/1.1 each carries one request at a time, so there are
 * enough to keep requests in flight while the endpoint waits for a core: with 16, a drain
 * of 20,000 due deliveries sent about 8 % fewer a second than with 32 to 100, which all
 * sent alike; the burst with 64 is in docs/benchmarks.md.
 */
export const localConnections = 64;

export interface FirebaseMessaging {
  messaging: Messaging;
  /** Releases the Firebase app and its connections. */
  close(): Promise<void>;
}

/**
 * firebase-admin's Messaging, for real FCM or for a local endpoint. Locally, firebase-admin's
 * own send path still runs (message validation, request building, error mapping, retries):
 * its HTTP/1.1 transport is chosen, which honours the app's `httpAgent`, and that agent
 * connects every "https://fcm.googleapis.com" request to the local endpoint over plain TCP.
 * A static credential stands in for Google OAuth.
 *
 * In production firebase-admin (14.5) sends over HTTP/2: each `sendEach` call opens one
 * session (one TLS connection) to fcm.googleapis.com, multiplexes all its requests on it
 * (≤ 100 concurrent streams) and closes it when the call ends — a connection is reused
 * within a call, never across calls (lib/messaging/messaging.js, Http2SessionHandler).
 * So the notifier sends full chunks of 500 and one handshake serves up to 500 messages.
 *
 * Retries (firebase-admin 14, both transports): a 503 is retried up to 4 times within one
 * `send`/`sendEach` call, waiting for Retry-After when given (else exponential backoff from
 * 0 s), as are ECONNRESET and ETIMEDOUT; other errors are returned at once. So
 * `messaging/server-unavailable` reaches the caller only after those retries are exhausted.
 */
export function createFirebaseMessaging({
  projectId,
  fcmEndpointUrl,
  connections = localConnections,
}: FirebaseMessagingOptions): FirebaseMessaging {
  const name = `notifier-${randomUUID()}`;
  if (!fcmEndpointUrl) {
    const app = initializeApp({ projectId, credential: applicationDefault() }, name);
    return { messaging: getMessaging(app), close: () => deleteApp(app) };
  }

  const endpoint = new URL(fcmEndpointUrl);
  const httpAgent = new PlainTcpAgent(endpoint.hostname, Number(endpoint.port || 80), connections);
  const app = initializeApp({ projectId, credential: staticCredential, httpAgent }, name);
  const messaging = getMessaging(app);
  messaging.enableLegacyHttpTransport();
  return {
    messaging,
    async close() {
      await deleteApp(app);
      httpAgent.destroy();
    },
  };
}

const staticCredential: Credential = {
  getAccessToken: async () => ({ access_token: 'local', expires_in: 3600 }),
};

/**
 * An https agent that opens plain TCP connections to one local address, whatever the URL
 * says, at most `connections` of them, kept alive between requests and between calls.
 */
class PlainTcpAgent extends Agent {
  readonly #host: string;
  readonly #port: number;

  constructor(host: string, port: number, connections: number) {
    super({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
    this.#host = host;
    this.#port = port;
  }

  override createConnection(): Duplex {
    return connect({ host: this.#host, port: this.#port, noDelay: true });
  }
}
