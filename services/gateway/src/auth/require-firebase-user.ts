import { HaruError } from '@haru/errors';
import type { Auth } from 'firebase-admin/auth';
import type { MiddlewareHandler } from 'hono';

export type UserVariables = { uid: string };

/**
 * Verifies the Firebase ID token in `Authorization: Bearer …` with firebase-admin
 * (signature, audience, issuer, expiry; emulator tokens only when
 * FIREBASE_AUTH_EMULATOR_HOST is set) and makes its uid the caller's identity.
 */
export function requireFirebaseUser({ auth }: { auth: Auth }): MiddlewareHandler<{ Variables: UserVariables }> {
  return async function firebaseUser(c, next) {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer ([^\s]+)$/i.exec(header);
    if (!match?.[1])
      throw new HaruError('unauthenticated', 'send a Firebase ID token as Authorization: Bearer <token>');
    let uid: string;
    try {
      ({ uid } = await auth.verifyIdToken(match[1]));
    } catch (error) {
      // Google's signing keys could not be fetched: our problem, not the caller's token.
      if (codeOf(error) === 'auth/internal-error') throw new HaruError('unavailable', 'cannot verify tokens right now');
      throw new HaruError('unauthenticated', 'the ID token is not valid');
    }
    c.set('uid', uid);
    await next();
  };
}

const codeOf = (error: unknown): unknown =>
  typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
