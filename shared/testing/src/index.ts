export { type EventuallyOptions, eventually, freePort } from '@haru/dev-stack';
export { createTestDatabase } from './create-test-database.ts';
export { clearFcmMessages, fcmMessages, fcmRejections } from './fcm-messages.ts';
export { isQueueIdle, type QueueReader, readQueue } from './queue-reader.ts';
export { type ServiceTestEnvironment, serviceTestEnvironment } from './service-test-environment.ts';
export { type SignInTestUserOptions, signInTestUser, type TestUser } from './sign-in-test-user.ts';
export { startTestStack, type TestStack } from './start-test-stack.ts';
export { testStackParts } from './test-stack-parts.ts';
export { uniqueTopologyPrefix } from './unique-topology-prefix.ts';
