import { HaruError } from '@haru/errors';
import type { Auth } from 'firebase-admin/auth';
import type { MiddlewareHandler } from 'hono';
import { verifiedTokens } from './verified-tokens.ts';

export type UserVariables = { uid: string };

/** Tokens a gateway remembers as verified (each about 200 bytes: a few MB in all). */
const rememberedTokens = 20_000;

/**
 * Makes the uid of the Firebase ID token in `Authorization: Bearer …` the caller's identity,
 * or answers 401 (see `verifiedTokens` for what is checked, and when it is checked again).
 */
export function requireFirebaseUser({ auth }: { auth: Auth }): MiddlewareHandler<{ Variables: UserVariables }> {
  const uidOf = verifiedTokens((idToken) => auth.verifyIdToken(idToken), { maxEntries: rememberedTokens });
  return async function firebaseUser(c, next) {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer ([^\s]+)$/i.exec(header);
    if (!match?.[1])
      throw new HaruError('unauthenticated', 'send a Firebase ID token as Authorization: Bearer <token>');
    c.set('uid', await uidOf(match[1]));
    await next();
  };
}
