export type Claims = Record<string, unknown>;

/**
 * An unsigned ID token like the Auth emulator's (`alg: none`), with the claims of a real
 * one changed. firebase-admin still checks every claim of emulator tokens; only the
 * signature is skipped, and only when FIREBASE_AUTH_EMULATOR_HOST is set.
 */
export function craftIdToken(idToken: string, change: (claims: Claims) => Claims): string {
  const [header = '', payload = ''] = idToken.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Claims;
  return `${header}.${Buffer.from(JSON.stringify(change(claims))).toString('base64url')}.`;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Claims a verified ID token must not have, each on an otherwise valid token. */
export const badClaims: Record<string, (claims: Claims) => Claims> = {
  'wrong audience': (claims) => ({ ...claims, aud: 'another-project' }),
  'wrong issuer': (claims) => ({ ...claims, iss: 'https://securetoken.google.com/another-project' }),
  expired: (claims) => ({ ...claims, iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 }),
  'issued in the future': (claims) => ({ ...claims, iat: nowSeconds() + 3600, exp: nowSeconds() + 7200 }),
  'signed in in the future': (claims) => ({ ...claims, auth_time: nowSeconds() + 3600 }),
  'without expiry': ({ exp: _, ...claims }) => claims,
  'without subject': ({ sub: _, ...claims }) => claims,
  'with an empty subject': (claims) => ({ ...claims, sub: '' }),
};
