import type { MessagingTables } from '@haru/messaging';
import type { Generated } from 'kysely';

export const schema = 'answer';

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

/** Invite code → family, kept in the same transaction as the family's creation. */
export interface InviteCodesTable {
  code: string;
  family_id: string;
}

/** A creation request's outcome by (caller, Idempotency-Key), replayed on a retry. */
export interface IdempotencyKeysTable {
  uid: string;
  key: string;
  request_hash: string;
  status: number;
  response: unknown;
  created_at: Generated<Date>;
}

/**
 * A membership's key (AES-256-GCM): its member's personal fields in the events are sealed
 * under it. Deleting the row erases them (crypto-shredding, decision 9).
 */
export interface PersonalKeysTable {
  member_id: string;
  family_id: string;
  uid: string;
  key: Buffer;
  created_at: Generated<Date>;
}

/**
 * A stream's state kept beside it, written with its events (`event-store.ts`, `Fold.kept`):
 * rebuildable from the stream at any time, and rebuilt when `shape` is not the fold's.
 */
export interface StreamStatesTable {
  stream_id: string;
  stream_version: number;
  shape: number;
  state: unknown;
}

/** An imported version of the question catalogue (`questions/catalogue-store.ts`). */
export interface CatalogueVersionsTable {
  version: number;
  question_count: number;
  imported_at: Generated<Date>;
}

/** A question of a catalogue version, by its id (stable across versions). */
export interface CatalogueQuestionsTable {
  version: number;
  question_id: number;
  ko: string;
  en: string;
}

export interface AnswerDatabase extends MessagingTables {
  events: EventsTable;
  stream_states: StreamStatesTable;
  personal_keys: PersonalKeysTable;
  catalogue_versions: CatalogueVersionsTable;
  catalogue_questions: CatalogueQuestionsTable;
  invite_codes: InviteCodesTable;
  idempotency_keys: IdempotencyKeysTable;
}
