/** Who answered which question: the members a reminder no longer needs to reach. */
export interface QuestionAnswerTable {
  family_id: string;
  question_id: string;
  member_id: string;
}
