/**
 * What the scheduler knows of a question's life: it opened (with the members who must
 * answer it), and everyone answered. Either may be learnt first; the pushes that follow
 * the question are scheduled once what each needs is known.
 */
export interface QuestionProgressTable {
  family_id: string;
  question_id: string;
  opened_at: Date | null;
  /** When the report that set `opened_at` occurred: a later report (a reschedule) wins. */
  opened_version: Date | null;
  /** The members active when the question opened; null until it is known to have opened. */
  required_member_ids: string[] | null;
  completed_at: Date | null;
}
