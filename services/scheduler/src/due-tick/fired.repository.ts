import type { Envelope, PushKind } from '@haru/contracts';
import type { Executor } from '@haru/db';
import type { SchedulerDatabase } from '../database.ts';

export interface Firing<Event extends Envelope = Envelope> {
  familyId: string;
  subject: string;
  kind: PushKind;
  dueAt: Date;
  event: Event;
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
  const recorded = await trx
    .insertInto('fired')
    .values(
      firings.map(({ familyId, subject, kind, dueAt, event }) => ({
        family_id: familyId,
        subject,
        kind,
        due_at: dueAt,
        event_id: event.id,
      })),
    )
    .onConflict((conflict) => conflict.columns(['family_id', 'subject', 'kind']).doNothing())
    .returning('event_id')
    .execute();
  const recordedIds = new Set(recorded.map((row) => row.event_id));
  return firings.filter(({ event }) => recordedIds.has(event.id)).map(({ event }) => event);
}
