import { createHash } from 'node:crypto';
import type { Executor } from '@haru/db';
import { HaruError } from '@haru/errors';
import type { AnswerDatabase } from '../database.ts';

export interface StoredResponse {
  status: number;
  body: unknown;
}

const keyPattern = /^[\x21-\x7e]{1,255}$/;

/** The Idempotency-Key header, if sent; visible ASCII, at most 255 characters. */
export function idempotencyKeyOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!keyPattern.test(header))
    throw new HaruError('invalid', 'Idempotency-Key must be 1–255 visible ASCII characters');
  return header;
}

export const requestHash = (body: unknown): string => createHash('sha256').update(JSON.stringify(body)).digest('hex');

/**
 * The response first given for this caller's key: replayed when the body is the same,
 * refused (422) when the key is reused for a different request.
 */
export async function priorResponse(
  db: Executor<AnswerDatabase>,
  { uid, key, hash }: { uid: string; key: string; hash: string },
): Promise<StoredResponse | undefined> {
  const row = await db
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'status', 'response'])
    .where('uid', '=', uid)
    .where('key', '=', key)
    .executeTakeFirst();
  if (!row) return undefined;
  if (row.request_hash !== hash) {
    throw new HaruError('unprocessable', 'this Idempotency-Key was used for a different request');
  }
  return { status: row.status, body: row.response };
}

export async function recordResponse(
  db: Executor<AnswerDatabase>,
  { uid, key, hash }: { uid: string; key: string; hash: string },
  response: StoredResponse,
): Promise<void> {
  await db
    .insertInto('idempotency_keys')
    .values({ uid, key, request_hash: hash, status: response.status, response: JSON.stringify(response.body) })
    .execute();
}

export const isIdempotencyConflict = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && 'constraint' in error && error.constraint === 'idempotency_keys_pkey';
