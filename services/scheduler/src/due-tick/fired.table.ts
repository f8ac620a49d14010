import type { PushKind } from '@haru/contracts';
import type { Generated } from 'kysely';

/**
 * The fire ledger: one row per push ever announced. Its primary key (family, subject,
 * kind) makes a second announcement impossible by constraint, whichever replica or
 * retry attempts it. The subject is the local date for "question", the question id
 * for "complete" and "reminder".
 */
export interface FiredTable {
  family_id: string;
  subject: string;
  kind: PushKind;
  due_at: Date;
  event_id: string;
  fired_at: Generated<Date>;
}
