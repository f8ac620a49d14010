/** The text of each opened question, kept for pushes that refer back to it (reminders). */
export interface QuestionTable {
  family_id: string;
  question_id: string;
  text_ko: string;
  text_en: string;
}
