import type { Generated } from 'kysely';

/**
 * Replays in progress (a rebuild or a verify), each building a copy of the read model in
 * a schema of its own. While one is registered, the live handler applies every event to
 * its copy as well, so the copy misses nothing the live model has seen.
 */
export interface ReplayTargetsTable {
  schema_name: string;
  purpose: string;
  started_at: Generated<Date>;
  heartbeat_at: Generated<Date>;
}
