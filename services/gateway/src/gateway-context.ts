import type { ServiceClient } from '@haru/http';

/** The internal APIs the gateway fronts. */
export interface Services {
  answer: ServiceClient;
  projection: ServiceClient;
  notifier: ServiceClient;
}

/** Per-request values every route reads: the verified caller and the correlation id. */
export type GatewayEnv = { Variables: { uid: string; correlationId: string } };
