import type { Generated } from 'kysely';

/** The event store: every family's and question's history, in append order. */
export interface EventsTable {
  global_position: Generated<string>;
  event_id: string;
  stream_id: string;
  stream_version: number;
  type: string;
  data: unknown;
  family_id: string;
  occurred_at: Date;
  correlation_id: string;
  causation_id: string | null;
  /** The appending transaction (`pg_current_xact_id()`): the event feed's commit-safe order. */
  transaction_id: Generated<string>;
}
