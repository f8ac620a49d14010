/** What is left of a Firebase project's FCM send budget, as of `refilled_at` (negative: owed). */
export interface SendBudgetTable {
  project_id: string;
  available: number;
  refilled_at: Date;
}
