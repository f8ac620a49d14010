import assert from 'node:assert/strict';
import { it } from 'node:test';
import { loadServiceConfig } from './config.ts';

const required = { INTERNAL_API_TOKEN: 'a-token-for-the-config-test', FIREBASE_PROJECT_ID: 'demo-haru' };

it('when web origins are listed, then each is read as a browser sends it; unset, there are none', () => {
  assert.deepEqual(loadServiceConfig(required).CORS_ALLOWED_ORIGINS, []);
  assert.deepEqual(
    loadServiceConfig({ ...required, CORS_ALLOWED_ORIGINS: 'https://app.haru.example, http://127.0.0.1:5173' })
      .CORS_ALLOWED_ORIGINS,
    ['https://app.haru.example', 'http://127.0.0.1:5173'],
  );
});

it('when a listed web origin is not an origin, then the configuration is refused naming it', () => {
  // A path, a wildcard and a missing scheme never match what a browser sends as its Origin.
  for (const wrong of ['https://app.haru.example/', '*', 'app.haru.example']) {
    assert.throws(
      () => loadServiceConfig({ ...required, CORS_ALLOWED_ORIGINS: `http://127.0.0.1:5173,${wrong}` }),
      new RegExp(`invalid configuration: CORS_ALLOWED_ORIGINS.*not ${wrong.replaceAll('*', '\\*')}`),
    );
  }
});
