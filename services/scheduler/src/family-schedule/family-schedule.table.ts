import type { ColumnType, Generated } from 'kysely';

/**
 * A family's schedule and its entry in the due-index: `next_due_at` is when the tick
 * next looks at the family (indexed; the tick claims rows with it in the past).
 */
export interface FamilyScheduleTable {
  family_id: string;
  timezone: string;
  /** Local "HH:MM". */
  push_time: string;
  quiet_hours_start: string | null;
  quiet_hours_end: string | null;
  reminder_offset_minutes: Generated<number>;
  next_due_at: Date;
  /** The last local date whose question fired; a `date` column, read as ISO text. */
  fired_through: ColumnType<string | null, string | null | undefined, string | null>;
  /** occurredAt and id of the event whose schedule is applied: the latest wins. */
  version_occurred_at: Date;
  version_event_id: string;
  updated_at: Generated<Date>;
}
