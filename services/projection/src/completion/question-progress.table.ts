/** Per (family, question): who must answer, and when it opened and completed. */
export interface QuestionProgressTable {
  family_id: string;
  question_id: string;
  local_date: string | null;
  required_member_ids: string[] | null;
  opened_at: Date | null;
  completed_at: Date | null;
}
