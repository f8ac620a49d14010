import type { Selectable } from 'kysely';

export type DeliveryStatus = 'pending' | 'sent' | 'failed' | 'invalid';

/**
 * One push of one notification to one device token. The row is the idempotency of
 * sending: it is claimed once, and only a `pending` row is ever sent.
 */
export interface DeliveryTable {
  notification_id: string;
  token: string;
  member_id: string;
  status: DeliveryStatus;
  error_code: string | null;
  error_message: string | null;
  /** Send attempts so far, by whichever sender made them. */
  attempts: number;
  /** A pending delivery is not sent before this (backoff, Retry-After, FCM's quota minimum). */
  next_attempt_at: Date;
  /** Claimed by a sender until then: no other claims it before (after, if that sender died). Null when unclaimed. */
  leased_until: Date | null;
  updated_at: Date;
}

export type Delivery = Selectable<DeliveryTable>;
