import type { Generated } from 'kysely';

/** A creation request's outcome by (caller, Idempotency-Key), replayed on a retry. */
export interface IdempotencyKeysTable {
  uid: string;
  key: string;
  request_hash: string;
  status: number;
  response: unknown;
  created_at: Generated<Date>;
}
