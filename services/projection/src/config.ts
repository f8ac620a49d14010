import { env, loadConfig } from '@haru/config';

export const loadServiceConfig = (source: NodeJS.ProcessEnv = process.env) =>
  loadConfig(
    { ...env.logging, ...env.database, ...env.messaging, ...env.retention, ...env.internalApi, ...env.http(8082) },
    source,
  );

export type ProjectionConfig = ReturnType<typeof loadServiceConfig>;
