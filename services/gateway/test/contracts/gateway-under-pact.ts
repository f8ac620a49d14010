// The gateway as the consumer in its HTTP pacts: its real routes and service clients, with
// the service of the pact at Pact's mock server and the other services stubbed. Identity is
// taken as given (the bearer token is the uid): the pacts are about what happens behind it.
import { callerUidHeader, correlationIdHeader } from '@haru/contracts';
import { type ServiceClient, serviceClient, serviceResponse, serviceTokenHeader } from '@haru/http';
import { createLogger, createMetrics } from '@haru/observability';
import { MatchersV3 as M } from '@pact-foundation/pact';
import type { Auth } from 'firebase-admin/auth';
import { buildApp } from '../../src/app.ts';
import type { Services } from '../../src/gateway-context.ts';

const trustingAuth = {
  verifyIdToken: async (idToken: string) => {
    const now = Math.floor(Date.now() / 1000);
    return { uid: idToken, iat: now, auth_time: now, exp: now + 3600 };
  },
} as unknown as Auth;

const notInThisPact: ServiceClient = async ({ path }) => {
  throw new Error(`${path} belongs to another pact`);
};

/** A stub for a service outside the pact under test, answering with `body`. */
export const answering =
  (body: unknown): ServiceClient =>
  async () =>
    serviceResponse(200, 'application/json', Buffer.from(JSON.stringify(body)));

/** A client of the service whose pact is under test, at Pact's mock server. */
export const serviceAt = (mockServerUrl: string): ServiceClient =>
  serviceClient(mockServerUrl, 'gateway-service-token-in-pacts');

/** The gateway's app API, as the app calls it, with the given services behind it. */
export function gatewayWith(services: Partial<Services>) {
  const app = buildApp({
    auth: trustingAuth,
    services: { answer: notInThisPact, projection: notInThisPact, notifier: notInThisPact, ...services },
    logger: createLogger('gateway', 'silent'),
    metrics: createMetrics('gateway'),
    internalApiToken: 'gateway-service-token-in-pacts',
    maxBodyBytes: 16 * 1024,
    rateLimitPerMinute: 10_000,
    ready: async () => true,
  });
  return async (uid: string, method: string, path: string, body?: unknown) =>
    app.request(path, {
      method,
      headers: {
        authorization: `Bearer ${uid}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
}

/**
 * What the gateway sends with every internal call: its service credential (the provider's
 * verification substitutes the real one).
 */
export const serviceHeaders = ({ json = false } = {}) => ({
  [serviceTokenHeader]: M.like('gateway-service-token-in-pacts'),
  ...(json ? { 'content-type': 'application/json' } : {}),
});

/** What the gateway sends with a call for one app request: also the verified caller and the correlation id. */
export const internalHeaders = (uid: string, { json = false } = {}) => ({
  ...serviceHeaders({ json }),
  [callerUidHeader]: uid,
  [correlationIdHeader]: M.like('0190b5a0-0000-7000-8000-00000000c001'),
});

export const uuidPattern = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
export const instantPattern = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$';
export const uuid = (example: string) => M.regex(uuidPattern, example);
export const instant = (example: string) => M.regex(instantPattern, example);

/** An RFC 9457 problem, as every service answers a refusal and the gateway relays it. */
export const problem = (status: number) => ({
  type: M.like('https://haru.app/problems/not-found'),
  title: M.like('Not Found'),
  status,
  detail: M.like('no such family'),
});

/** Example ids that provider states replace with the ids of the data they create. */
export const examples: Readonly<Record<'familyId' | 'memberId' | 'questionId' | 'inviteCode', string>> = {
  familyId: '0190b5a0-0000-7000-8000-00000000fa01',
  memberId: '0190b5a0-0000-7000-8000-00000000ae01',
  questionId: '0190b5a0-0000-7000-8000-00000000be01',
  inviteCode: 'PACT2345',
};

/**
 * A value the provider's state handler supplies (Pact's provider-state injection): each
 * `:name` in the template is the state's `name`; the consumer's test sees the example.
 */
export const fromState = (template: string) =>
  M.fromProviderState(
    template.replace(/:(\w+)/g, (_, name: string) => `\${${name}}`),
    template.replace(/:(\w+)/g, (_, name: string) => examples[name as keyof typeof examples] ?? name),
  );
