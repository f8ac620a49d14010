import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Database } from '@haru/db';
import { serviceTokenHeader } from '@haru/http';
import { migratedTestDatabase } from '../../test/support/migrated-test-database.ts';
import { notifierTestApp } from '../../test/support/notifier-test-app.ts';
import { testToken } from '../../test/support/test-events.ts';
import type { NotifierDatabase } from '../database.ts';

const token = 'device-routes-test-token';

describe('the devices API', () => {
  let database: Database<NotifierDatabase>;
  let app: ReturnType<typeof notifierTestApp>;
  before(async () => {
    ({ database } = await migratedTestDatabase());
    app = notifierTestApp(database, { internalApiToken: token });
  });
  after(() => database?.close());

  const put = (deviceToken: string, body: unknown, contentType = 'application/json') =>
    app.request(`/internal/devices/${deviceToken}`, {
      method: 'PUT',
      headers: { [serviceTokenHeader]: token, 'content-type': contentType },
      body: JSON.stringify(body),
    });
  const device = (deviceToken: string) =>
    database.db.selectFrom('devices').select(['uid', 'platform', 'active']).where('token', '=', deviceToken).execute();

  it('when a token already registered to another uid is registered, then it moves to the new uid, active', async () => {
    const phone = testToken();
    assert.equal((await put(phone, { uid: 'old-owner', platform: 'android' })).status, 204);
    await app.request(`/internal/devices/${phone}?uid=old-owner`, {
      method: 'DELETE',
      headers: { [serviceTokenHeader]: token },
    });
    assert.equal((await put(phone, { uid: 'new-owner', platform: 'ios' })).status, 204);
    assert.deepEqual(await device(phone), [{ uid: 'new-owner', platform: 'ios', active: true }]);
  });

  // The gateway sends both calls once more when their connection is lost (`sameWhenRepeated`).
  it('when a registration or a removal is sent twice, then both answer 204 as the first did, and the device is as after one', async () => {
    const phone = testToken();
    const remove = () =>
      app.request(`/internal/devices/${phone}?uid=owner`, {
        method: 'DELETE',
        headers: { [serviceTokenHeader]: token },
      });
    assert.deepEqual(
      [
        (await put(phone, { uid: 'owner', platform: 'android' })).status,
        (await put(phone, { uid: 'owner', platform: 'android' })).status,
      ],
      [204, 204],
    );
    assert.deepEqual(await device(phone), [{ uid: 'owner', platform: 'android', active: true }]);
    assert.deepEqual([(await remove()).status, (await remove()).status], [204, 204]);
    assert.deepEqual(await device(phone), [{ uid: 'owner', platform: 'android', active: false }]);
  });

  it('when the body is not a registration, then it answers 400 or 415 and registers nothing', async () => {
    const phone = testToken();
    const unknownPlatform = await put(phone, { uid: 'u', platform: 'blackberry' });
    assert.equal(unknownPlatform.status, 400);
    assert.equal(unknownPlatform.headers.get('content-type'), 'application/problem+json');
    assert.equal((await put(phone, { uid: 'u', platform: 'web', extra: true })).status, 400);
    assert.equal((await put(phone, { uid: 'u', platform: 'web' }, 'text/plain')).status, 415);
    assert.deepEqual(await device(phone), []);
  });

  it('when a device is deleted without naming its owner, then it answers 400', async () => {
    const response = await app.request(`/internal/devices/${testToken()}`, {
      method: 'DELETE',
      headers: { [serviceTokenHeader]: token },
    });
    assert.equal(response.status, 400);
  });
});
