import { callerUidHeader } from '@haru/contracts';
import { serviceTokenHeader } from '@haru/http';

/**
 * Calls a service's internal API as the gateway does (service credential, caller uid),
 * for tests; resolves with the status and the parsed body.
 */
export const internalApi =
  (serviceUrl: string, internalApiToken: string) =>
  async (uid: string | null, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${serviceUrl}/internal${path}`, {
      method,
      headers: {
        [serviceTokenHeader]: internalApiToken,
        ...(uid ? { [callerUidHeader]: uid } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as any };
  };
