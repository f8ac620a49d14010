/**
 * What the scheduler knows of a question's life: it opened, and everyone answered.
 * Either may be learnt first; the "complete" push is scheduled once both are known.
 */
export interface QuestionProgressTable {
  family_id: string;
  question_id: string;
  opened_at: Date | null;
  completed_at: Date | null;
}
