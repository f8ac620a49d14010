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
}

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
 * Retries (firebase-admin 14, both transports): a 503 is retried up to 4 times within one
 * `send`/`sendEach` call, waiting for Retry-After when given (else exponential backoff from
 * 0 s), as are ECONNRESET and ETIMEDOUT; other errors are returned at once. So
 * `messaging/server-unavailable` reaches the caller only after those retries are exhausted.
 */
export function createFirebaseMessaging({ projectId, fcmEndpointUrl }: FirebaseMessagingOptions): FirebaseMessaging {
  const name = `notifier-${randomUUID()}`;
  if (!fcmEndpointUrl) {
    const app = initializeApp({ projectId, credential: applicationDefault() }, name);
    return { messaging: getMessaging(app), close: () => deleteApp(app) };
  }

  const endpoint = new URL(fcmEndpointUrl);
  const httpAgent = new PlainTcpAgent(endpoint.hostname, Number(endpoint.port || 80));
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

/** An https agent that opens plain TCP connections to one local address, whatever the URL says. */
class PlainTcpAgent extends Agent {
  readonly #host: string;
  readonly #port: number;

  constructor(host: string, port: number) {
    super({ keepAlive: true });
    this.#host = host;
    this.#port = port;
  }

  override createConnection(): Duplex {
    return connect({ host: this.#host, port: this.#port });
  }
}
