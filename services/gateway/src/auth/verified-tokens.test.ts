import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HaruError } from '@haru/errors';
import type { DecodedIdToken } from 'firebase-admin/auth';
import { verifiedTokens } from './verified-tokens.ts';

const now = 1_800_000_000;

/** A stand-in for firebase-admin's verifyIdToken that knows some tokens and counts its calls. */
function verifierOf(tokens: Record<string, Partial<DecodedIdToken>>) {
  const calls: string[] = [];
  const verify = async (idToken: string): Promise<DecodedIdToken> => {
    calls.push(idToken);
    const claims = tokens[idToken];
    if (!claims) throw Object.assign(new Error('bad token'), { code: 'auth/argument-error' });
    return { uid: 'u', iat: now - 60, auth_time: now - 60, exp: now + 3600, ...claims } as DecodedIdToken;
  };
  return { verify, calls };
}

const rejection = (kind: string) => (error: unknown) => error instanceof HaruError && error.kind === kind;

describe('verified tokens', () => {
  test('when a token passed once, then later calls with it answer its uid without verifying it again', async () => {
    const { verify, calls } = verifierOf({ 'token-a': { uid: 'alice' } });
    const uidOf = verifiedTokens(verify, { maxEntries: 10, nowSeconds: () => now });
    assert.equal(await uidOf('token-a'), 'alice');
    assert.equal(await uidOf('token-a'), 'alice');
    assert.equal(await uidOf('token-a'), 'alice');
    assert.deepEqual(calls, ['token-a']);
  });

  test('when a token differs from a remembered one by a byte, then it is verified in full and refused', async () => {
    const { verify, calls } = verifierOf({ 'token-a': { uid: 'alice' } });
    const uidOf = verifiedTokens(verify, { maxEntries: 10, nowSeconds: () => now });
    await uidOf('token-a');
    await assert.rejects(uidOf('token-b'), rejection('unauthenticated'));
    assert.deepEqual(calls, ['token-a', 'token-b']);
  });

  test('when a token failed, then it is not remembered: every call verifies it again', async () => {
    const { verify, calls } = verifierOf({});
    const uidOf = verifiedTokens(verify, { maxEntries: 10, nowSeconds: () => now });
    await assert.rejects(uidOf('forged'), rejection('unauthenticated'));
    await assert.rejects(uidOf('forged'), rejection('unauthenticated'));
    assert.equal(calls.length, 2);
  });

  test('when a remembered token has expired, then it is verified again and refused', async () => {
    let clock = now;
    const { verify, calls } = verifierOf({ 'token-a': { uid: 'alice', exp: now + 10 } });
    const uidOf = verifiedTokens(verify, { maxEntries: 10, nowSeconds: () => clock });
    assert.equal(await uidOf('token-a'), 'alice');
    clock = now + 10;
    await assert.rejects(uidOf('token-a'), rejection('unauthenticated'));
    assert.equal(calls.length, 2);
  });

  test('when a token has no expiry, or was issued or signed in ahead of the clock, then it is refused and not remembered', async () => {
    const { verify, calls } = verifierOf({
      'no-exp': { exp: undefined as unknown as number },
      'issued-ahead': { iat: now + 3600 },
      'signed-in-ahead': { auth_time: now + 3600 },
    });
    const uidOf = verifiedTokens(verify, { maxEntries: 10, nowSeconds: () => now });
    for (const token of ['no-exp', 'issued-ahead', 'signed-in-ahead', 'no-exp']) {
      await assert.rejects(uidOf(token), rejection('unauthenticated'));
    }
    assert.equal(calls.length, 4);
  });

  test('when more tokens pass than it remembers, then the least recently used is verified again', async () => {
    const { verify, calls } = verifierOf({ a: { uid: 'a' }, b: { uid: 'b' }, c: { uid: 'c' } });
    const uidOf = verifiedTokens(verify, { maxEntries: 2, nowSeconds: () => now });
    for (const token of ['a', 'b', 'a', 'c', 'a', 'b']) await uidOf(token);
    assert.deepEqual(calls, ['a', 'b', 'c', 'b']);
  });

  test('when firebase-admin cannot verify for an internal reason, then the caller is told to retry (503), not refused', async () => {
    const verify = async (): Promise<DecodedIdToken> => {
      throw Object.assign(new Error('network'), { code: 'auth/internal-error' });
    };
    const uidOf = verifiedTokens(verify, { maxEntries: 10, nowSeconds: () => now });
    await assert.rejects(uidOf('token-a'), rejection('unavailable'));
  });
});
