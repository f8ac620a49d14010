/**
 * When a question opened and when everyone had answered it, which the pushes that follow
 * it are timed by. Either may be learnt first. Who answered is the projection's to keep
 * (docs/decisions/0011).
 */
export interface QuestionProgressTable {
  family_id: string;
  question_id: string;
  opened_at: Date | null;
  /** When the report that set `opened_at` occurred: a later report (a reschedule) wins. */
  opened_version: Date | null;
  completed_at: Date | null;
}
