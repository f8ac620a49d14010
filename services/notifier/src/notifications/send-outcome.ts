import type { SendResult } from './push-sender.ts';

/**
 * What a send result means for the delivery:
 * - `sent`: FCM accepted it;
 * - `invalid`: the token is dead — deactivate the device, never send to it again;
 * - `retry`: FCM is overloaded or failing — try again later, after `retryAfterMs` if it said;
 * - `failed`: anything else; final, with the provider's code and message.
 */
export type SendOutcome =
  | { status: 'sent' }
  | { status: 'invalid'; code: string; message: string }
  | { status: 'retry'; code: string; message: string; retryAfterMs: number | null }
  | { status: 'failed'; code: string; message: string };

// firebase-admin's client codes (lib/messaging/error.js), from FCM v1's
// UNREGISTERED / NOT_FOUND, INVALID_ARGUMENT, UNAVAILABLE, INTERNAL,
// QUOTA_EXCEEDED / RESOURCE_EXHAUSTED, and its own network failures.
const deadTokenCodes = new Set([
  'messaging/registration-token-not-registered',
  'messaging/invalid-registration-token',
  'messaging/installation-id-not-registered',
]);
const transientCodes = new Set([
  'messaging/server-unavailable',
  'messaging/internal-error',
  'messaging/message-rate-exceeded',
  'messaging/device-message-rate-exceeded',
  'app/network-error',
  'app/network-timeout',
]);
// INVALID_ARGUMENT covers both a malformed message and a malformed token; only the
// message tells them apart.
const invalidTokenMessage = /not a valid FCM registration token/i;

export function classifySendResult(result: SendResult, now: Date): SendOutcome {
  if (result.success) return { status: 'sent' };
  const code = result.error?.code || 'unknown-error';
  const message = result.error?.message || `the provider reported ${code} without a message`;
  if (deadTokenCodes.has(code)) return { status: 'invalid', code, message };
  if (code === 'messaging/invalid-argument' && invalidTokenMessage.test(message)) {
    return { status: 'invalid', code, message };
  }
  if (transientCodes.has(code)) {
    return { status: 'retry', code, message, retryAfterMs: retryAfterMs(result.error?.httpResponse?.headers, now) };
  }
  return { status: 'failed', code, message };
}

/** Retry-After as seconds or an HTTP date; null when absent or unreadable. */
function retryAfterMs(headers: Record<string, unknown> | undefined, now: Date): number | null {
  const value = headers?.['retry-after'];
  if (typeof value !== 'string' || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(date - now.getTime(), 0);
}

/**
 * How long to wait before retry `attempt` (1-based count of attempts made so far):
 * exponential with full jitter, but never sooner than the provider asked for.
 */
export function retryDelayMs(
  attempt: number,
  retryAfter: number | null,
  random: number,
  { baseMs = 500, maxMs = 10_000 }: { baseMs?: number; maxMs?: number } = {},
): number {
  const backoff = Math.min(baseMs * 2 ** (attempt - 1), maxMs) * random;
  return Math.min(Math.max(backoff, retryAfter ?? 0), maxMs);
}
