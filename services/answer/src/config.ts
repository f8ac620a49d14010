import { env, loadConfig } from '@haru/config';

export const loadServiceConfig = (source: NodeJS.ProcessEnv = process.env) =>
  loadConfig(
    {
      ...env.logging,
      ...env.database,
      ...env.messaging,
      ...env.retention,
      ...env.internalApi,
      ...env.http(8081),
      /** How long an invite code lets people join (7 days). */
      INVITE_LIFETIME_HOURS: env.positiveInt(7 * 24),
    },
    source,
  );

export type AnswerConfig = ReturnType<typeof loadServiceConfig>;
