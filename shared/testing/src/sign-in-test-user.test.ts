import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, it } from 'node:test';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import { refreshIdToken, signInTestUser } from './sign-in-test-user.ts';

const app = initializeApp({ projectId: 'demo-haru' }, `sign-in-test-user-${randomUUID()}`);
after(() => deleteApp(app));

it('when a test user signs in, then firebase-admin verifies the ID token as that user', async () => {
  const user = await signInTestUser();

  const decoded = await getAuth(app).verifyIdToken(user.idToken);

  assert.equal(decoded.uid, user.uid);
  assert.equal(decoded.email, user.email);
});

it('when a test user refreshes its ID token, then firebase-admin verifies the new one as the same user', async () => {
  const user = await signInTestUser();

  const idToken = await refreshIdToken(process.env.FIREBASE_AUTH_EMULATOR_HOST, user.refreshToken);

  const decoded = await getAuth(app).verifyIdToken(idToken);
  assert.equal(decoded.uid, user.uid);
});

it('when two test users sign in, then they are different users', async () => {
  const [first, second] = await Promise.all([signInTestUser(), signInTestUser()]);

  assert.notEqual(first.uid, second.uid);
});

it('when the emulator serves another project than expected, then signing in fails naming both', async () => {
  await assert.rejects(signInTestUser(undefined, { projectId: 'another-project' }), /demo-haru, not another-project/);
});
