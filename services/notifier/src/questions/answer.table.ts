/**
 * A member's answer to a question, kept only so that a reminder prepared before it is not
 * sent to them. Whom a question awaits is the projection's to decide (docs/decisions/0011);
 * this is the one fact the notifier needs at a reminder's instant.
 */
export interface AnswerTable {
  family_id: string;
  question_id: string;
  member_id: string;
  answered_at: Date;
}
