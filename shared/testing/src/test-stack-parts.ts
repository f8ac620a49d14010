import { randomBytes } from 'node:crypto';
import { freeServicePorts, type StackParts } from '@haru/dev-stack';
import { createTestDatabase } from './create-test-database.ts';
import { uniqueTopologyPrefix } from './unique-topology-prefix.ts';

/**
 * Parts for running the services in a test, on the global setup's PostgreSQL, SNS/SQS,
 * Auth emulator and FCM endpoint, with a database, topology prefix and ports of its own.
 * Pass to `serviceEnvironment` (the topology still has to be applied for the prefix).
 */
export async function testStackParts(): Promise<StackParts> {
  const ports = await freeServicePorts();
  return {
    databaseUrl: await createTestDatabase(),
    internalApiToken: randomBytes(24).toString('base64url'),
    awsRegion: process.env.AWS_REGION ?? 'us-east-1',
    awsEndpointUrl: required('AWS_ENDPOINT_URL'),
    topologyPrefix: uniqueTopologyPrefix(),
    firebaseProjectId: process.env.FIREBASE_PROJECT_ID ?? 'demo-haru',
    authEmulatorHost: required('FIREBASE_AUTH_EMULATOR_HOST'),
    fcmEndpointUrl: required('HARU_TEST_FCM_URL'),
    ports,
    logLevel: process.env.LOG_LEVEL ?? 'warn',
  };
}

function required(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`${name} is not set: run tests with --test-global-setup=shared/testing/src/global-setup.ts`);
  return value;
}
