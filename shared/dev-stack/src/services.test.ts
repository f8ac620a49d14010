import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type StackParts, serviceEnvironment } from './services.ts';

const local: StackParts = {
  databaseUrl: 'postgres://postgres:secret@127.0.0.1:5432/haru',
  internalApiToken: 'a-token-of-at-least-16-characters',
  awsEndpointUrl: 'http://127.0.0.1:4566',
  topologyPrefix: 't-1234abcd',
  authEmulatorHost: '127.0.0.1:9099',
  fcmEndpointUrl: 'http://127.0.0.1:4010',
  ports: { gateway: 18080, answer: 18081, notifier: 18084 },
};

describe('serviceEnvironment', () => {
  it('when building the gateway, then it points at each service by port and at the Auth emulator, without a database', () => {
    const env = serviceEnvironment('gateway', local);

    assert.equal(env.PORT, '18080');
    assert.equal(env.HOST, '127.0.0.1');
    assert.equal(env.ANSWER_URL, 'http://127.0.0.1:18081');
    assert.equal(env.PROJECTION_URL, 'http://127.0.0.1:8082');
    assert.equal(env.SCHEDULER_URL, 'http://127.0.0.1:8083');
    assert.equal(env.NOTIFIER_URL, 'http://127.0.0.1:18084');
    assert.equal(env.FIREBASE_AUTH_EMULATOR_HOST, '127.0.0.1:9099');
    assert.equal(env.FIREBASE_PROJECT_ID, 'demo-haru');
    assert.equal(env.INTERNAL_API_TOKEN, local.internalApiToken);
    assert.ok('DATABASE_URL' in env && env.DATABASE_URL === undefined);
  });

  it('when building a service with a database, then it gets the database, the messaging endpoint and dummy keys', () => {
    const env = serviceEnvironment('answer', local);

    assert.equal(env.DATABASE_URL, local.databaseUrl);
    assert.equal(env.AWS_ENDPOINT_URL, 'http://127.0.0.1:4566');
    assert.equal(env.AWS_REGION, 'us-east-1');
    assert.equal(env.AWS_ACCESS_KEY_ID, 'test');
    assert.equal(env.AWS_SECRET_ACCESS_KEY, 'test');
    assert.equal(env.HARU_TOPOLOGY_PREFIX, 't-1234abcd');
    assert.equal(env.PORT, '18081');
  });

  it('when building the notifier, then it gets the FCM endpoint and the Firebase project', () => {
    const env = serviceEnvironment('notifier', local);

    assert.equal(env.FCM_ENDPOINT_URL, 'http://127.0.0.1:4010');
    assert.equal(env.FIREBASE_PROJECT_ID, 'demo-haru');
  });

  it('when the parts are the real cloud ones, then endpoint variables are removed and credentials left alone', () => {
    const cloud: StackParts = { databaseUrl: local.databaseUrl, internalApiToken: local.internalApiToken };

    const notifier = serviceEnvironment('notifier', cloud);
    const gateway = serviceEnvironment('gateway', cloud);

    for (const name of ['AWS_ENDPOINT_URL', 'FCM_ENDPOINT_URL'])
      assert.ok(name in notifier && notifier[name] === undefined);
    assert.ok('FIREBASE_AUTH_EMULATOR_HOST' in gateway && gateway.FIREBASE_AUTH_EMULATOR_HOST === undefined);
    assert.ok(!('AWS_ACCESS_KEY_ID' in notifier));
    assert.equal(notifier.HARU_TOPOLOGY_PREFIX, 'haru');
  });
});
