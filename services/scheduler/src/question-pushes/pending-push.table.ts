import type { PushKind } from '@haru/contracts';

/** A push that follows a question ("complete" or "reminder"), waiting for its time in the due-index. */
export interface PendingPushTable {
  family_id: string;
  question_id: string;
  kind: Exclude<PushKind, 'question'>;
  due_at: Date;
  /** The event that made the push due, so that the emitted event is traced back to it. */
  correlation_id: string;
  causation_id: string;
}
