import type { PushKind } from '@haru/contracts';
import type { Generated } from 'kysely';
import type { ReminderSkipReason } from '../schedule/decide-reminder.ts';

/**
 * The fire ledger: one row per push ever settled, announced or skipped. Its primary key
 * (family, subject, kind) makes a second announcement impossible by constraint, whichever
 * replica or retry attempts it. The subject is the local date for "question", the
 * question id for "complete" and "reminder".
 */
export interface FiredTable {
  family_id: string;
  subject: string;
  kind: PushKind;
  due_at: Date;
  /** The announcing event; null when the push was skipped (then `skip_reason` says why). */
  event_id: string | null;
  skip_reason: ReminderSkipReason | null;
  fired_at: Generated<Date>;
}
