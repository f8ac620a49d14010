import type { QuietHours } from '@haru/contracts';
import type { Executor } from '@haru/db';
import { sql } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import type { SchedulerDatabase } from '../database.ts';
import { toDate, toInstant } from '../instants.ts';
import type { FamilySchedule } from '../schedule/change-schedule.ts';

type Db = Executor<SchedulerDatabase>;

export const quietHoursOf = (row: { quiet_hours_start: string | null; quiet_hours_end: string | null }): QuietHours =>
  row.quiet_hours_start !== null && row.quiet_hours_end !== null
    ? { start: row.quiet_hours_start, end: row.quiet_hours_end }
    : null;

const scheduleColumns = (state: FamilySchedule, reminderOffsetMinutes: number) => ({
  timezone: state.schedule.timezone,
  push_time: state.schedule.pushTime,
  quiet_hours_start: state.schedule.quietHours?.start ?? null,
  quiet_hours_end: state.schedule.quietHours?.end ?? null,
  next_due_at: toDate(state.nextDueAt),
  fired_through: state.firedThrough?.toString() ?? null,
  version_occurred_at: toDate(state.version.occurredAt),
  version_event_id: state.version.eventId,
  reminder_offset_minutes: reminderOffsetMinutes,
});

/** The family's schedule, locked until the transaction ends; null when unknown. */
export async function lockFamilySchedule(trx: Db, familyId: string): Promise<FamilySchedule | null> {
  const row = await trx
    .selectFrom('family_schedule')
    .select([
      'timezone',
      'push_time',
      'quiet_hours_start',
      'quiet_hours_end',
      'next_due_at',
      sql<string | null>`fired_through::text`.as('fired_through'),
      'version_occurred_at',
      'version_event_id',
    ])
    .where('family_id', '=', familyId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) return null;
  return {
    schedule: { timezone: row.timezone, pushTime: row.push_time, quietHours: quietHoursOf(row) },
    version: { occurredAt: toInstant(row.version_occurred_at), eventId: row.version_event_id },
    nextDueAt: toInstant(row.next_due_at),
    firedThrough: row.fired_through === null ? null : Temporal.PlainDate.from(row.fired_through),
  };
}

/**
 * Creates the family's schedule, with the reminder offset the same event carried; false when
 * another transaction created it first.
 */
export async function insertFamilySchedule(
  trx: Db,
  familyId: string,
  state: FamilySchedule,
  reminderOffsetMinutes: number,
): Promise<boolean> {
  const inserted = await trx
    .insertInto('family_schedule')
    .values({ family_id: familyId, ...scheduleColumns(state, reminderOffsetMinutes) })
    .onConflict((conflict) => conflict.column('family_id').doNothing())
    .returning('family_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function updateFamilySchedule(
  trx: Db,
  familyId: string,
  state: FamilySchedule,
  reminderOffsetMinutes: number,
): Promise<void> {
  await trx
    .updateTable('family_schedule')
    .set({ ...scheduleColumns(state, reminderOffsetMinutes), updated_at: sql`now()` })
    .where('family_id', '=', familyId)
    .execute();
}

export interface ScheduleView {
  familyId: string;
  timezone: string;
  pushTime: string;
  quietHours: QuietHours;
  reminderOffsetMinutes: number;
  nextQuestionDueAt: string;
}

export async function findScheduleView(db: Db, familyId: string): Promise<ScheduleView | undefined> {
  const row = await db.selectFrom('family_schedule').selectAll().where('family_id', '=', familyId).executeTakeFirst();
  if (!row) return undefined;
  return {
    familyId: row.family_id,
    timezone: row.timezone,
    pushTime: row.push_time,
    quietHours: quietHoursOf(row),
    reminderOffsetMinutes: row.reminder_offset_minutes,
    nextQuestionDueAt: row.next_due_at.toISOString(),
  };
}
