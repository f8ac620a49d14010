import { randomUUID } from 'node:crypto';

export interface TestUser {
  uid: string;
  /** Valid for an hour, as Firebase's are; `refreshIdToken` gives a new one. */
  idToken: string;
  refreshToken: string;
  email: string;
}

export interface SignInTestUserOptions {
  /** The project the emulator runs; the token is checked to be for it. */
  projectId?: string;
  email?: string;
}

/**
 * Creates a new user in the Auth emulator through its REST API (as the app's Firebase SDK
 * would) and returns the user's uid and ID token, which firebase-admin verifies when
 * FIREBASE_AUTH_EMULATOR_HOST is set.
 */
export async function signInTestUser(
  emulatorHost: string | undefined = process.env.FIREBASE_AUTH_EMULATOR_HOST,
  {
    projectId = process.env.FIREBASE_PROJECT_ID ?? 'demo-haru',
    email = `user-${randomUUID()}@haru.test`,
  }: SignInTestUserOptions = {},
): Promise<TestUser> {
  if (!emulatorHost) throw new Error('FIREBASE_AUTH_EMULATOR_HOST is not set');
  // The emulator accepts any API key and serves the project it was started for.
  const response = await fetch(
    `http://${emulatorHost}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=test-api-key`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: randomUUID(), returnSecureToken: true }),
    },
  );
  const body = (await response.json()) as {
    localId?: string;
    idToken?: string;
    refreshToken?: string;
    error?: { message?: string };
  };
  if (!response.ok || !body.localId || !body.idToken || !body.refreshToken) {
    throw new Error(`signing up ${email} failed: ${response.status} ${body.error?.message ?? JSON.stringify(body)}`);
  }
  const audience = tokenAudience(body.idToken);
  if (audience !== projectId) {
    throw new Error(`the Auth emulator at ${emulatorHost} issues tokens for ${audience}, not ${projectId}`);
  }
  return { uid: body.localId, idToken: body.idToken, refreshToken: body.refreshToken, email };
}

/**
 * A new ID token for a signed-in test user, from its refresh token, as the app's Firebase SDK
 * gets one when the last is about to expire (after an hour).
 */
export async function refreshIdToken(emulatorHost: string | undefined, refreshToken: string): Promise<string> {
  if (!emulatorHost) throw new Error('FIREBASE_AUTH_EMULATOR_HOST is not set');
  const response = await fetch(`http://${emulatorHost}/securetoken.googleapis.com/v1/token?key=test-api-key`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: refreshToken }),
  });
  const body = (await response.json()) as { id_token?: string; error?: { message?: string } };
  if (!response.ok || !body.id_token) {
    throw new Error(`refreshing an ID token failed: ${response.status} ${body.error?.message ?? JSON.stringify(body)}`);
  }
  return body.id_token;
}

function tokenAudience(idToken: string): unknown {
  const payload = idToken.split('.')[1] ?? '';
  return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { aud?: unknown }).aud;
}
