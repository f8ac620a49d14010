import assert from 'node:assert/strict';
import { it } from 'node:test';
import { loadServiceConfig } from './config.ts';

const required = {
  DATABASE_URL: 'postgres://haru@127.0.0.1/haru',
  INTERNAL_API_TOKEN: 'a-token-for-the-config-test',
  FIREBASE_PROJECT_ID: 'demo-haru',
};

it('when the head start is not set, then deliveries are claimed a second ahead of their instant', () => {
  assert.equal(loadServiceConfig(required).NOTIFIER_HEAD_START_MS, 1000);
  assert.equal(loadServiceConfig({ ...required, NOTIFIER_HEAD_START_MS: '0' }).NOTIFIER_HEAD_START_MS, 0);
});

it('when the head start would reach a claim’s lease, then the configuration is refused naming it', () => {
  assert.throws(
    () => loadServiceConfig({ ...required, NOTIFIER_HEAD_START_MS: '60000' }),
    /invalid configuration: NOTIFIER_HEAD_START_MS/,
  );
  assert.throws(
    () => loadServiceConfig({ ...required, NOTIFIER_HEAD_START_MS: '-1' }),
    /invalid configuration: NOTIFIER_HEAD_START_MS/,
  );
});

it("when a web app's push link or icon is set, then it must be https, and the link may name only a push's data fields", () => {
  const link = 'https://app.example.com/families/{familyId}/questions/{questionId}';
  assert.equal(loadServiceConfig({ ...required, NOTIFIER_WEB_PUSH_LINK: link }).NOTIFIER_WEB_PUSH_LINK, link);
  assert.equal(loadServiceConfig(required).NOTIFIER_WEB_PUSH_LINK, undefined);
  for (const [name, value] of [
    ['NOTIFIER_WEB_PUSH_LINK', 'http://app.example.com/families/{familyId}'],
    ['NOTIFIER_WEB_PUSH_LINK', 'https://app.example.com/families/{family}'],
    ['NOTIFIER_WEB_PUSH_LINK', '/families/{familyId}'],
    ['NOTIFIER_WEB_PUSH_ICON', 'http://app.example.com/icon.png'],
  ] as const) {
    assert.throws(
      () => loadServiceConfig({ ...required, [name]: value }),
      new RegExp(`invalid configuration: ${name}`),
      value,
    );
  }
});
