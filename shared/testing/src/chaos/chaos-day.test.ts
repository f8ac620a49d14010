// The fault-injection day at a small size, so that every CI run tries to break the promise;
// `npm run test:chaos -- --full` runs it with 2,000 families.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chaosDayPassed, describeReport, runChaosDay } from './chaos-day.ts';

test('when services are killed, PostgreSQL restarts, FCM fails and events come twice, then every push still arrives exactly once', {
  timeout: 600_000,
}, async () => {
  const report = await runChaosDay({
    families: 12,
    spreadMinutes: 2,
    killsPerService: 3,
    awsEndpointUrl: process.env.AWS_ENDPOINT_URL as string,
    authEmulatorHost: process.env.FIREBASE_AUTH_EMULATOR_HOST as string,
  });
  const summary = describeReport(report);
  assert.ok(
    Object.values(report.kills).every((count) => count >= 3),
    summary,
  );
  assert.equal(report.postgresRestarts, 1, summary);
  assert.deepEqual(report.verdict.lost, [], summary);
  assert.deepEqual(report.verdict.duplicate, [], summary);
  assert.deepEqual(report.verdict.unexpected, [], summary);
  assert.deepEqual(report.failedAnswers, [], summary);
  assert.ok(
    Object.values(report.crashes).every((count) => count === 0),
    summary,
  );
  assert.ok(report.projectionMatchesReplay, report.projectionVerifyOutput);
  assert.ok(chaosDayPassed(report), summary);
  console.log(summary);
});
