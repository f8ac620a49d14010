import type { MessagingTables } from '@haru/messaging';

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

export interface ProjectionDatabase extends MessagingTables {
  question_progress: QuestionProgressTable;
  answers: AnswersTable;
  departed_members: DepartedMembersTable;
}
