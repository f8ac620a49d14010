import { env, loadConfig } from '@haru/config';
import { localDataDir } from '@haru/config/local-stack';
import { z } from 'zod';
import { type ServiceName, services } from './services.ts';

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const optionalUrl = z.url().optional();

/**
 * What `npm start` reads. Every port can be moved (0: any free port), so that a second
 * stack, e.g. a test's, runs beside the usual one with a data directory of its own.
 */
export const stackSettingsShape = {
  HARU_DATA_DIR: z.string().min(1).optional(),
  HARU_POSTGRES_PORT: port(5432),
  HARU_FAUXQS_PORT: port(4566),
  HARU_AUTH_EMULATOR_PORT: port(9099),
  HARU_FCM_PORT: port(4010),
  CONSOLE_PORT: port(8090),
  HARU_GATEWAY_PORT: port(services.gateway.port),
  HARU_ANSWER_PORT: port(services.answer.port),
  HARU_PROJECTION_PORT: port(services.projection.port),
  HARU_SCHEDULER_PORT: port(services.scheduler.port),
  HARU_NOTIFIER_PORT: port(services.notifier.port),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }).optional(),
  AWS_ENDPOINT_URL: optionalUrl,
  HARU_USE_AWS: z.enum(['0', '1']).optional(),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  HARU_TOPOLOGY_PREFIX: z
    .string()
    .regex(/^[a-z0-9-]{1,40}$/, 'lowercase letters, digits and dashes, at most 40')
    .default('haru'),
  INTERNAL_API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  FIREBASE_PROJECT_ID: z.string().min(1).optional(),
  FIREBASE_AUTH_EMULATOR_HOST: z.string().min(1).optional(),
  GOOGLE_APPLICATION_CREDENTIALS: z.string().min(1).optional(),
  FCM_ENDPOINT_URL: optionalUrl,
  /** The services' SQS long poll: short locally, so that the stack stops within seconds. */
  CONSUMER_WAIT_TIME_SECONDS: z.coerce.number().int().min(0).max(20).default(2),
  /** How long the services keep delivery data, and so how long the queues keep messages. */
  RETENTION_DAYS: env.retention.RETENTION_DAYS,
};

export type StackSettings = ReturnType<typeof loadStackSettings>;

export function loadStackSettings(env: NodeJS.ProcessEnv = process.env) {
  const settings = loadConfig(stackSettingsShape, env);
  return { ...settings, dataDir: localDataDir(env) };
}

/** The variable that moves each service's port. */
export const servicePortSetting = {
  gateway: 'HARU_GATEWAY_PORT',
  answer: 'HARU_ANSWER_PORT',
  projection: 'HARU_PROJECTION_PORT',
  scheduler: 'HARU_SCHEDULER_PORT',
  notifier: 'HARU_NOTIFIER_PORT',
} as const satisfies Record<ServiceName, keyof typeof stackSettingsShape>;
