import type { Generated } from 'kysely';

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
