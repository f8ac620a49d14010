// Environment variables shared by several processes, declared once so that each
// means the same thing everywhere. Services compose them with their own.
import { z } from 'zod';
import { databaseUrlProblem } from './database-url.ts';

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const logging = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

export const database = {
  /** TLS and authentication are URL parameters (database-url.ts): `sslmode=verify-full&sslrootcert=rds` in AWS. */
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' })
    .superRefine((url, context) => {
      const problem = databaseUrlProblem(url);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    }),
  DATABASE_POOL_SIZE: positiveInt(10),
  /**
   * How long a starting process waits for a database out of reach (restarting, failing over)
   * before it gives up with one line; 0: it gives up at once.
   */
  DATABASE_WAIT_MS: z.coerce.number().int().nonnegative().default(120_000),
};

export const messaging = {
  AWS_REGION: z.string().min(1).default('us-east-1'),
  /** Unset means real AWS; set to fauxqs or LocalStack locally. */
  AWS_ENDPOINT_URL: z.url().optional(),
  /** Prefix of the topic and queue names, so that environments can share an account. */
  HARU_TOPOLOGY_PREFIX: z
    .string()
    .regex(/^[a-z0-9-]{1,40}$/, 'lowercase letters, digits and dashes, at most 40')
    .default('haru'),
  /** Messages handled at once by this process, per queue. */
  CONSUMER_CONCURRENCY: positiveInt(10),
  /** SQS long-poll wait (at most 20); stopping waits for the current poll to end. */
  CONSUMER_WAIT_TIME_SECONDS: z.coerce.number().int().min(0).max(20).default(10),
  /** Outbox relay polling fallback when no NOTIFY arrives. */
  OUTBOX_POLL_INTERVAL_MS: positiveInt(1000),
  /** PublishBatch calls the outbox relay keeps in flight while it drains a backlog. */
  OUTBOX_PUBLISH_CONCURRENCY: positiveInt(8),
};

/**
 * How long a service keeps data that only serves delivery (inbox, settled fire ledger,
 * reported deliveries) and how often it sweeps what is older; the queues keep messages as
 * long, up to SQS's 14 days (see `messageRetentionSecondsFor` in @haru/messaging).
 */
export const retention = {
  RETENTION_DAYS: positiveInt(30),
  RETENTION_SWEEP_INTERVAL_MS: positiveInt(3_600_000),
};

/** The credential the gateway presents to the internal service APIs. */
export const internalApi = {
  INTERNAL_API_TOKEN: z.string().min(16, 'must be at least 16 characters'),
  /**
   * While the credential is rotated, the value being replaced: still accepted (never
   * presented), so tasks started before and after the rotation can talk to each other.
   */
  INTERNAL_API_TOKEN_PREVIOUS: z.string().min(16, 'must be at least 16 characters').optional(),
};

export const http = (defaultPort: number) => ({
  PORT: port(defaultPort),
  HOST: z.string().min(1).default('127.0.0.1'),
});

export const serviceUrl = (fallback: string) => z.url().default(fallback);

export { port, positiveInt };
