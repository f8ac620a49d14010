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
