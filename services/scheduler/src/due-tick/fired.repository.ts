import type { Envelope, PushKind } from '@haru/contracts';
import type { Executor } from '@haru/db';
import { sql } from 'kysely';
import type { SchedulerDatabase } from '../database.ts';
import type { ReminderSkipReason } from '../schedule/decide-reminder.ts';

interface Settlement {
  familyId: string;
  subject: string;
  kind: PushKind;
  dueAt: Date;
}

export interface Firing<Event extends Envelope = Envelope> extends Settlement {
  event: Event;
}

export interface Skip extends Settlement {
  reason: ReminderSkipReason;
}

/**
 * Writes firings into the ledger and returns the events of those that were not there
 * yet. A firing whose (family, subject, kind) is already recorded is dropped here, by
 * the primary key: that is what makes a double announcement impossible.
 */
export async function recordFired<Event extends Envelope>(
  trx: Executor<SchedulerDatabase>,
  firings: ReadonlyArray<Firing<Event>>,
): Promise<Event[]> {
  if (firings.length === 0) return [];
  // Columns as arrays (five parameters, not five per row): a batch of hundreds stays cheap
  // to parse and plan.
  const { rows } = await sql<{ event_id: string }>`
    insert into fired (family_id, subject, kind, due_at, event_id)
    select * from unnest(
      ${firings.map((firing) => firing.familyId)}::uuid[],
      ${firings.map((firing) => firing.subject)}::text[],
      ${firings.map((firing) => firing.kind)}::text[],
      ${firings.map((firing) => firing.dueAt.toISOString())}::timestamptz[],
      ${firings.map((firing) => firing.event.id)}::uuid[])
    on conflict (family_id, subject, kind) do nothing
    returning event_id`.execute(trx);
  const recordedIds = new Set(rows.map((row) => row.event_id));
  return firings.filter(({ event }) => recordedIds.has(event.id)).map(({ event }) => event);
}

/**
 * Settles pushes decided against: the ledger remembers them, so that no later event
 * schedules them again. One already settled either way stays as it was.
 */
export async function recordSkipped(trx: Executor<SchedulerDatabase>, skips: readonly Skip[]): Promise<void> {
  if (skips.length === 0) return;
  await trx
    .insertInto('fired')
    .values(
      skips.map(({ familyId, subject, kind, dueAt, reason }) => ({
        family_id: familyId,
        subject,
        kind,
        due_at: dueAt,
        event_id: null,
        skip_reason: reason,
      })),
    )
    .onConflict((conflict) => conflict.columns(['family_id', 'subject', 'kind']).doNothing())
    .execute();
}

/** The family's question announced ahead whose instant is still to come after `now`, if any. */
export async function findAnnouncedQuestion(
  trx: Executor<SchedulerDatabase>,
  familyId: string,
  now: Date,
): Promise<{ localDate: string; dueAt: Date } | undefined> {
  const row = await trx
    .selectFrom('fired')
    .select(['subject', 'due_at'])
    .where('family_id', '=', familyId)
    .where('kind', '=', 'question')
    .where('due_at', '>', now)
    .where('event_id', 'is not', null)
    .orderBy('due_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && { localDate: row.subject, dueAt: row.due_at };
}

/** Moves a question announced ahead to its new instant, announced again by `event`. */
export async function recordRetimed(
  trx: Executor<SchedulerDatabase>,
  { familyId, subject, dueAt, event }: Firing,
): Promise<void> {
  await trx
    .updateTable('fired')
    .set({ due_at: dueAt, event_id: event.id })
    .where('family_id', '=', familyId)
    .where('subject', '=', subject)
    .where('kind', '=', 'question')
    .execute();
}
