import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createLogger } from '@haru/observability';
import { Hono } from 'hono';
import { problemHandler } from './problem.ts';
import { requireServiceToken, serviceTokenHeader } from './require-service-token.ts';

const current = 'current-internal-token-0123456789';
const previous = 'previous-internal-token-0123456789';

const guarded = (options: Parameters<typeof requireServiceToken>[0]) => {
  const app = new Hono().use(requireServiceToken(options)).get('/internal/ping', (c) => c.text('pong'));
  app.onError(problemHandler(createLogger('test', 'silent')));
  return (token: string) => app.request('/internal/ping', { headers: { [serviceTokenHeader]: token } });
};

describe('the internal credential', () => {
  test('when a rotation is under way, then both the new and the previous credential get through, nothing else', async () => {
    const call = guarded({ token: current, previousToken: previous });
    assert.equal((await call(current)).status, 200);
    assert.equal((await call(previous)).status, 200);
    assert.equal((await call(`${previous}x`)).status, 401);
    assert.equal((await call('')).status, 401);
  });

  test('when no rotation is under way, then only the credential gets through', async () => {
    const call = guarded({ token: current });
    assert.equal((await call(current)).status, 200);
    assert.equal((await call(previous)).status, 401);
  });
});
