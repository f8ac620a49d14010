import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifySendResult, configurationMinimumWaitMs, retryDelayMs } from './send-outcome.ts';

const now = new Date('2026-11-25T09:00:00Z');
const failure = (code: string, message: string, headers: Record<string, unknown> = {}) => ({
  success: false,
  error: { code, message, httpResponse: { status: 503, headers } },
});

describe('classifySendResult', () => {
  it('when FCM accepted the message, then it is sent', () => {
    assert.deepEqual(classifySendResult({ success: true }, now), { status: 'sent' });
  });

  it('when the token is unregistered, then it is invalid', () => {
    const outcome = classifySendResult(failure('messaging/registration-token-not-registered', 'gone'), now);
    assert.equal(outcome.status, 'invalid');
  });

  it('when INVALID_ARGUMENT says the token is not a valid FCM token, then it is invalid', () => {
    const message = 'The registration token is not a valid FCM registration token';
    assert.equal(classifySendResult(failure('messaging/invalid-argument', message), now).status, 'invalid');
  });

  it('when haru’s Google credential or the APNs key is unusable, then it is retried minutes later, not failed', () => {
    for (const code of ['app/invalid-credential', 'messaging/third-party-auth-error']) {
      assert.deepEqual(classifySendResult(failure(code, 'fix me'), now), {
        status: 'retry',
        code,
        message: 'fix me',
        retryAfterMs: configurationMinimumWaitMs,
      });
    }
  });

  it('when INVALID_ARGUMENT is about anything else, then it failed for good with the message', () => {
    const outcome = classifySendResult(failure('messaging/invalid-argument', 'data must only contain strings'), now);
    assert.deepEqual(outcome, {
      status: 'failed',
      code: 'messaging/invalid-argument',
      message: 'data must only contain strings',
    });
  });

  it('when FCM is unavailable with Retry-After in seconds, then it is retried no sooner than that', () => {
    const outcome = classifySendResult(failure('messaging/server-unavailable', 'busy', { 'retry-after': '7' }), now);
    assert.deepEqual(outcome, {
      status: 'retry',
      code: 'messaging/server-unavailable',
      message: 'busy',
      retryAfterMs: 7000,
    });
  });

  it('when Retry-After is an HTTP date, then the wait runs until it', () => {
    const headers = { 'retry-after': new Date(now.getTime() + 3000).toUTCString() };
    const outcome = classifySendResult(failure('messaging/server-unavailable', 'busy', headers), now);
    assert.equal(outcome.status === 'retry' && outcome.retryAfterMs, 3000);
  });

  it('when the quota is exceeded, then the retry waits at least FCM’s minute, or longer if asked', () => {
    const waits = [{}, { 'retry-after': '5' }, { 'retry-after': '120' }].map((headers) => {
      const outcome = classifySendResult(failure('messaging/message-rate-exceeded', 'quota', headers), now);
      return outcome.status === 'retry' && outcome.retryAfterMs;
    });
    assert.deepEqual(waits, [60_000, 60_000, 120_000]);
    const device = classifySendResult(failure('messaging/device-message-rate-exceeded', 'too many'), now);
    assert.equal(device.status === 'retry' && device.retryAfterMs, 60_000);
  });

  it('when firebase-admin’s HTTP/2 session failed under a send, then it is retried', () => {
    const message = 'Error while making request. Session failures: GOAWAY - , Error code: 0';
    assert.equal(classifySendResult(failure('messaging/unknown-error', message), now).status, 'retry');
    assert.equal(
      classifySendResult(failure('messaging/unknown-error', 'Raw server response: "?"'), now).status,
      'failed',
    );
  });

  it('when an internal error has no Retry-After, then it is retried on backoff alone', () => {
    const outcome = classifySendResult(
      { success: false, error: { code: 'messaging/internal-error', message: 'x' } },
      now,
    );
    assert.equal(outcome.status === 'retry' && outcome.retryAfterMs, null);
  });

  it('when the provider gives no message, then the recorded message still says something', () => {
    const outcome = classifySendResult(
      { success: false, error: { code: 'messaging/unknown-error', message: '' } },
      now,
    );
    assert.equal(outcome.status, 'failed');
    assert.ok(outcome.status === 'failed' && outcome.message.length > 0);
  });
});

describe('retryDelayMs', () => {
  it('when retries go on, then the ceiling of the jittered backoff doubles and is capped', () => {
    assert.deepEqual(
      [1, 2, 3, 12, 20].map((attempt) => retryDelayMs(attempt, null, 1)),
      [500, 1000, 2000, 900_000, 900_000],
    );
    assert.equal(retryDelayMs(3, null, 0.5), 1000);
    assert.equal(retryDelayMs(10, null, 1, { maxMs: 10_000 }), 10_000);
  });

  it('when the provider asked for a wait, then the delay is never shorter than it, however long', () => {
    assert.equal(retryDelayMs(1, 1000, 0), 1000);
    assert.equal(retryDelayMs(3, 1000, 1), 2000);
    assert.equal(retryDelayMs(1, 60_000, 1, { maxMs: 10_000 }), 60_000);
  });
});
