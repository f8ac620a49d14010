import { HaruError } from '@haru/errors';
import type { Auth, DecodedIdToken } from 'firebase-admin/auth';
import type { MiddlewareHandler } from 'hono';

export type UserVariables = { uid: string };

/** How far a token's issue and sign-in times may be ahead of our clock (clocks disagree a little). */
const clockSkewSeconds = 300;

/**
 * Verifies the Firebase ID token in `Authorization: Bearer …` with firebase-admin
 * (signature, audience, issuer, subject, expiry; emulator tokens only when
 * FIREBASE_AUTH_EMULATOR_HOST is set) and makes its uid the caller's identity.
 * firebase-admin leaves two of Firebase's documented checks to us: that the token was
 * issued, and its user signed in, in the past; and it accepts a token without `exp`.
 */
export function requireFirebaseUser({ auth }: { auth: Auth }): MiddlewareHandler<{ Variables: UserVariables }> {
  return async function firebaseUser(c, next) {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer ([^\s]+)$/i.exec(header);
    if (!match?.[1])
      throw new HaruError('unauthenticated', 'send a Firebase ID token as Authorization: Bearer <token>');
    let token: DecodedIdToken;
    try {
      token = await auth.verifyIdToken(match[1]);
    } catch (error) {
      // Google's signing keys could not be fetched: our problem, not the caller's token.
      if (codeOf(error) === 'auth/internal-error') throw new HaruError('unavailable', 'cannot verify tokens right now');
      throw new HaruError('unauthenticated', 'the ID token is not valid');
    }
    if (!isCurrent(token, Date.now() / 1000)) throw new HaruError('unauthenticated', 'the ID token is not valid');
    c.set('uid', token.uid);
    await next();
  };
}

/** Issued and signed in no later than now (give or take the skew), and bound to expire. */
const isCurrent = (token: DecodedIdToken, nowSeconds: number): boolean =>
  typeof token.exp === 'number' &&
  token.iat <= nowSeconds + clockSkewSeconds &&
  token.auth_time <= nowSeconds + clockSkewSeconds;

const codeOf = (error: unknown): unknown =>
  typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
