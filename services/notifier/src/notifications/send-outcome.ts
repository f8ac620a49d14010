import type { SendResult } from '../push/push-sender.ts';

/**
 * What a send result means for the delivery:
 * - `sent`: FCM accepted it;
 * - `invalid`: the token is dead — deactivate the device, never send to it again;
 * - `retry`: FCM is overloaded or failing, or haru's own credential is (an operator fixes
 *   it) — try again, no sooner than `retryAfterMs` if set;
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
const quotaCodes = new Set(['messaging/message-rate-exceeded', 'messaging/device-message-rate-exceeded']);
const transientCodes = new Set([
  'messaging/server-unavailable',
  'messaging/internal-error',
  ...quotaCodes,
  'app/network-error',
  'app/network-timeout',
]);
// haru's side is misconfigured (no usable Google credential, no APNs key in the Firebase
// project): nothing is wrong with the push, so it waits for an operator's fix instead of failing.
const configurationCodes = new Set(['app/invalid-credential', 'messaging/third-party-auth-error']);
// INVALID_ARGUMENT covers both a malformed message and a malformed token; only the
// message tells them apart.
const invalidTokenMessage = /not a valid FCM registration token/i;
// When firebase-admin's HTTP/2 session fails (a GOAWAY, a reset connection), it reports
// every stream of the call as `messaging/unknown-error` naming the session failures
// (Messaging.createSessionError); those messages were never taken, so they are retried.
const sessionFailure = /Session failures: /;

/** FCM asks senders over quota to wait at least a minute before trying again. */
export const quotaMinimumWaitMs = 60_000;
/** A misconfiguration is not fixed in seconds: tried again every few minutes, until `maxAttempts`. */
export const configurationMinimumWaitMs = 5 * 60_000;

export function classifySendResult(result: SendResult, now: Date): SendOutcome {
  if (result.success) return { status: 'sent' };
  const code = result.error?.code || 'unknown-error';
  const message = result.error?.message || `the provider reported ${code} without a message`;
  if (deadTokenCodes.has(code)) return { status: 'invalid', code, message };
  if (code === 'messaging/invalid-argument' && invalidTokenMessage.test(message)) {
    return { status: 'invalid', code, message };
  }
  if (transientCodes.has(code) || (code === 'messaging/unknown-error' && sessionFailure.test(message))) {
    const asked = retryAfterMs(result.error?.httpResponse?.headers, now);
    const retryAfter = quotaCodes.has(code) ? Math.max(asked ?? 0, quotaMinimumWaitMs) : asked;
    return { status: 'retry', code, message, retryAfterMs: retryAfter };
  }
  if (configurationCodes.has(code)) return { status: 'retry', code, message, retryAfterMs: configurationMinimumWaitMs };
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
 * How long to wait before the next send after `attempt` sends (1-based): exponential
 * with full jitter, capped at `maxMs`, but never sooner than the provider asked for,
 * however long that is.
 */
export function retryDelayMs(
  attempt: number,
  retryAfter: number | null,
  random: number,
  { baseMs = 500, maxMs = 15 * 60_000 }: { baseMs?: number; maxMs?: number } = {},
): number {
  const backoff = Math.min(baseMs * 2 ** (attempt - 1), maxMs) * random;
  return Math.max(backoff, retryAfter ?? 0);
}
