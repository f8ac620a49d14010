import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * A personal field as stored: `haru-sealed:1:<memberId>:<base64url of iv, tag, ciphertext>`,
 * AES-256-GCM under the member's key, with the member id as additional data (a sealed value
 * moved to another member's event does not open). The member id in the clear says whose key
 * opens it; without that key nobody can read it (crypto-shredding, decision 9).
 */
const prefix = 'haru-sealed:1:';
const ivBytes = 12;
const tagBytes = 16;

export const newPersonalKey = (): Buffer => randomBytes(32);

export function sealField(key: Buffer, memberId: string, plaintext: string): string {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(memberId));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${prefix}${memberId}:${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url')}`;
}

export const isSealed = (value: unknown): value is string => typeof value === 'string' && value.startsWith(prefix);

/** The member whose key opens a sealed value. */
export const sealedFor = (sealed: string): string => sealed.slice(prefix.length, sealed.indexOf(':', prefix.length));

/** The plaintext of a sealed value, or undefined without its key (destroyed: the member erased). */
export function openField(key: Buffer | undefined, sealed: string): string | undefined {
  if (!key) return undefined;
  const memberId = sealedFor(sealed);
  const packed = Buffer.from(sealed.slice(prefix.length + memberId.length + 1), 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, packed.subarray(0, ivBytes));
  decipher.setAAD(Buffer.from(memberId));
  decipher.setAuthTag(packed.subarray(ivBytes, ivBytes + tagBytes));
  return Buffer.concat([decipher.update(packed.subarray(ivBytes + tagBytes)), decipher.final()]).toString('utf8');
}
