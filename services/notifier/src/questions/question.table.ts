/** A question's text in each language haru speaks. */
export interface QuestionText {
  ko: string;
  en: string;
}

/** Each opened question: its text, for the pushes that quote it, and its instant. */
export interface QuestionTable {
  family_id: string;
  question_id: string;
  text_ko: string;
  text_en: string;
  /** When the question opens, as the latest report of its opening says (null on older rows). */
  opens_at: Date | null;
  /** When that report occurred: a later one (the question rescheduled before its instant) wins. */
  opens_version: Date | null;
}
