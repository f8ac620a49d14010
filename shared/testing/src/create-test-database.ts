import { randomBytes } from 'node:crypto';
import { createDatabaseIfMissing } from '@haru/dev-stack';

/**
 * A new, empty database on the test cluster, named uniquely, so that each test file makes
 * its own data and files can run in parallel. Returns its postgres:// URL.
 */
export function createTestDatabase(): Promise<string> {
  const adminUrl = process.env.HARU_TEST_DATABASE_URL;
  if (!adminUrl) {
    throw new Error(
      'HARU_TEST_DATABASE_URL is not set: run tests with --test-global-setup=shared/testing/src/global-setup.ts',
    );
  }
  return createDatabaseIfMissing(adminUrl, `test_${randomBytes(6).toString('hex')}`);
}
