// The app as a user's phone runs it on a bad day: every call is retried until the
// gateway takes it, however often the gateway or what stands behind it is down.

export interface PatientApp {
  /** Sends until the answer is 2xx; refusals (4xx other than 429) are failures of the test. */
  call(
    idToken: string,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<unknown>;
}

export function patientApp(gatewayUrl: string, { deadlineMs = 180_000 }: { deadlineMs?: number } = {}): PatientApp {
  return {
    async call(idToken, method, path, body, headers = {}) {
      const deadline = Date.now() + deadlineMs;
      let lastProblem = '';
      for (let attempt = 0; Date.now() < deadline; attempt++) {
        try {
          const response = await fetch(`${gatewayUrl}${path}`, {
            method,
            headers: {
              authorization: `Bearer ${idToken}`,
              ...(body === undefined ? {} : { 'content-type': 'application/json' }),
              ...headers,
            },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
            signal: AbortSignal.timeout(15_000),
          });
          const text = await response.text();
          if (response.ok) return text ? JSON.parse(text) : undefined;
          lastProblem = `${response.status} ${text}`;
          const retryable = response.status >= 500 || response.status === 429;
          if (!retryable) throw new Error(`${method} ${path} was refused: ${lastProblem}`);
        } catch (error) {
          if (error instanceof Error && error.message.includes('was refused')) throw error;
          lastProblem = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        }
        // Backing off as a phone would; the gateway may be restarting.
        await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * 2 ** Math.min(attempt, 5))));
      }
      throw new Error(`${method} ${path} did not go through before the deadline; last: ${lastProblem}`);
    },
  };
}
