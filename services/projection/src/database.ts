import type { MessagingTables } from '@haru/messaging';
import type { Generated } from 'kysely';

export const schema = 'projection';

/** Per (family, question): who must answer, and when it opened and completed. */
export interface QuestionProgressTable {
  family_id: string;
  question_id: string;
  local_date: string | null;
  required_member_ids: string[] | null;
  opened_at: Date | null;
  completed_at: Date | null;
}

/** Answers as they arrive, possibly before their question's QuestionOpened. */
export interface AnswersTable {
  family_id: string;
  question_id: string;
  member_id: string;
  answered_at: Date;
}

/** Members who left; they stop blocking completion from then on. */
export interface DepartedMembersTable {
  family_id: string;
  member_id: string;
  left_at: Date;
}

/**
 * Completions put on the outbox as FamilyQuestionCompleted, one row per question. Not
 * part of the read model: a rebuild replaces the model but keeps this, so nothing is
 * announced twice.
 */
export interface AnnouncedCompletionsTable {
  family_id: string;
  question_id: string;
  completed_at: Date;
  announced_at: Generated<Date>;
}

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

export interface ProjectionDatabase extends MessagingTables {
  question_progress: QuestionProgressTable;
  answers: AnswersTable;
  departed_members: DepartedMembersTable;
  announced_completions: AnnouncedCompletionsTable;
  replay_targets: ReplayTargetsTable;
}

/**
 * The read model: its tables and their keys. A replay copies exactly these (with
 * `create table … (like … including all)`), a rebuild swaps them, a verify compares them.
 */
export const modelTables = {
  question_progress: ['family_id', 'question_id'],
  answers: ['family_id', 'question_id', 'member_id'],
  departed_members: ['family_id', 'member_id'],
} as const satisfies { [Table in keyof ProjectionDatabase]?: readonly (keyof ProjectionDatabase[Table])[] };

export type ModelTable = keyof typeof modelTables;
