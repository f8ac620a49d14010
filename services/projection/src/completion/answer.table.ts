/** Answers as they arrive, possibly before their question's QuestionOpened. */
export interface AnswersTable {
  family_id: string;
  question_id: string;
  member_id: string;
  answered_at: Date;
}
