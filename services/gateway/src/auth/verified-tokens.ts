import { hash } from 'node:crypto';
import { HaruError } from '@haru/errors';
import type { DecodedIdToken } from 'firebase-admin/auth';
import { LRUCache } from 'lru-cache';

/** How far a token's issue and sign-in times may be ahead of our clock (clocks disagree a little). */
const clockSkewSeconds = 300;

/** A token that passed every check: whose it is, and until when (seconds since the epoch). */
interface VerifiedToken {
  uid: string;
  expiresAt: number;
}

export interface VerifiedTokensOptions {
  /** Tokens remembered at most; the least recently used go first. */
  maxEntries: number;
  /** Seconds since the epoch. */
  nowSeconds?: () => number;
}

/**
 * Checks Firebase ID tokens and answers the caller's uid, verifying each token once.
 *
 * `verify` is firebase-admin's `verifyIdToken` (signature, audience, issuer, subject, expiry;
 * emulator tokens only when FIREBASE_AUTH_EMULATOR_HOST is set). It leaves two of Firebase's
 * documented checks to us: that the token was issued, and its user signed in, in the past;
 * and it accepts a token without `exp`. Both are checked here.
 *
 * Revocation is not checked (no `checkRevoked`), so a token that passed stays valid until it
 * expires, and verifying it again would give the same answer: the app sends the same token
 * with every call for up to an hour (it reads the question, then answers it). So a passed
 * token is remembered, by its SHA-256, until its `exp`; a token that fails is never
 * remembered, and any other token, even one differing by a byte, is verified in full. In the
 * Auth emulator firebase-admin also looks the user up on every verification (a deleted or
 * disabled user is refused at once); with this memory such a user's token keeps working until
 * it expires, as it does with real Firebase tokens.
 */
export function verifiedTokens(
  verify: (idToken: string) => Promise<DecodedIdToken>,
  { maxEntries, nowSeconds = () => Date.now() / 1000 }: VerifiedTokensOptions,
): (idToken: string) => Promise<string> {
  const passed = new LRUCache<string, VerifiedToken>({ max: maxEntries });
  return async function uidOf(idToken) {
    const key = hash('sha256', idToken, 'base64');
    const now = nowSeconds();
    const remembered = passed.get(key);
    if (remembered && now < remembered.expiresAt) return remembered.uid;

    let token: DecodedIdToken;
    try {
      token = await verify(idToken);
    } catch (error) {
      if (codeOf(error) === 'auth/internal-error') throw new HaruError('unavailable', 'cannot verify tokens right now');
      throw new HaruError('unauthenticated', 'the ID token is not valid');
    }
    if (!isCurrent(token, now)) throw new HaruError('unauthenticated', 'the ID token is not valid');
    passed.set(key, { uid: token.uid, expiresAt: token.exp });
    return token.uid;
  };
}

/** Issued and signed in no later than now (give or take the skew), and bound to expire. */
const isCurrent = (token: DecodedIdToken, nowSeconds: number): boolean =>
  typeof token.exp === 'number' &&
  nowSeconds < token.exp &&
  token.iat <= nowSeconds + clockSkewSeconds &&
  token.auth_time <= nowSeconds + clockSkewSeconds;

const codeOf = (error: unknown): unknown =>
  typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
