import { createEvent, type EventOf, newEventId } from '@haru/contracts';
import type { Executor } from '@haru/db';
import { appendToOutbox, transactionWithOutbox } from '@haru/messaging';
import { type Kysely, sql } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import type { SchedulerDatabase } from '../database.ts';
import { quietHoursOf } from '../family-schedule/family-schedule.repository.ts';
import { toDate, toInstant, toIsoString } from '../instants.ts';
import { type DueQuestionDecision, decideDueQuestion } from '../schedule/decide-due-question.ts';
import { type Firing, recordFired } from './fired.repository.ts';

export interface FireOptions {
  now: Date;
  batchSize: number;
  catchUpWindowMinutes: number;
  /** How long before its instant a push is announced (SCHEDULER_LEAD_MS). */
  leadMs: number;
}

export interface HorizonFireOptions extends Omit<FireOptions, 'leadMs'> {
  /** Families due by this instant are announced: the end of the lead, or later (see `announceHorizon`). */
  horizon: Date;
}

/**
 * One batch of the question tick, in one transaction: claims families whose due instant
 * comes by `horizon` (SKIP LOCKED, so replicas share the index without waiting on each
 * other), records each question in the fire ledger, puts QuestionDue (carrying the instant)
 * on the outbox, and moves each family on to its next occurrence. QuestionDue leaves at
 * once, ahead of the instant: the answer service prepares the question to open at it, and
 * the notifier its pushes to go out at it. Resolves with how many rows it claimed (so the caller knows whether
 * more are waiting) and the events it announced.
 */
export async function fireDueQuestions(
  db: Kysely<SchedulerDatabase>,
  { now, batchSize, catchUpWindowMinutes, horizon }: HorizonFireOptions,
): Promise<{ claimed: number; fired: number; events: EventOf<'QuestionDue'>[] }> {
  // Decided as at the horizon: a family due by it gets that occurrence.
  return transactionWithOutbox(db, async (trx) => {
    const due = await trx
      .selectFrom('family_schedule')
      .select([
        'family_id',
        'timezone',
        'push_time',
        'quiet_hours_start',
        'quiet_hours_end',
        sql<string | null>`fired_through::text`.as('fired_through'),
        sql<string>`ctid::text`.as('position'),
      ])
      .where('next_due_at', '<=', horizon)
      .orderBy('next_due_at')
      .limit(batchSize)
      .forUpdate()
      .skipLocked()
      .execute();
    if (due.length === 0) return { claimed: 0, fired: 0, events: [] };

    // Families due together mostly share a zone and push time: each distinct schedule is
    // decided once per batch, and what the rows carry of it (dates, instants as text) is
    // derived once with it (the time zone arithmetic is the tick's main CPU cost).
    const decided = new Map<string, Decided>();
    const decisions = due.map((row) => {
      const key = `${row.timezone} ${row.push_time} ${row.fired_through}`;
      let decision = decided.get(key);
      if (!decision) {
        decision = decidedForRows(
          decideDueQuestion(
            { timezone: row.timezone, pushTime: row.push_time, quietHours: quietHoursOf(row) },
            {
              now: toInstant(horizon),
              firedThrough: row.fired_through === null ? null : Temporal.PlainDate.from(row.fired_through),
              // How late a question is counts from now, not from the horizon.
              catchUpWindowMinutes: catchUpWindowMinutes + (horizon.getTime() - now.getTime()) / 60_000,
            },
          ),
        );
        decided.set(key, decision);
      }
      return { familyId: row.family_id, position: row.position, ...decision };
    });

    const firings: Firing<EventOf<'QuestionDue'>>[] = [];
    for (const { familyId, fire } of decisions) {
      if (!fire) continue;
      // A tick starts a causal chain of its own: the event is its own correlation.
      const id = newEventId();
      const event = createEvent(
        'QuestionDue',
        familyId,
        { localDate: fire.localDate, dueAt: fire.dueAtText },
        { occurredAt: now, correlationId: id, causationId: null },
        id,
      );
      firings.push({ familyId, subject: fire.localDate, kind: 'question', dueAt: fire.dueAt, event });
    }
    const events = await recordFired(trx, firings);
    await appendToOutbox(trx, events);
    await moveOn(trx, decisions);
    return { claimed: due.length, fired: events.length, events };
  });
}

/** A decision as the batch's rows use it: dates and instants in the forms they are written in. */
interface Decided {
  fire: { localDate: string; dueAt: Date; dueAtText: string } | null;
  nextDueAt: string;
  firedThrough: string | null;
}

const decidedForRows = ({ fire, next }: DueQuestionDecision): Decided => {
  const fired = fire && {
    localDate: fire.localDate.toString(),
    dueAt: toDate(fire.dueAt),
    dueAtText: toIsoString(fire.dueAt),
  };
  return { fire: fired, nextDueAt: toIsoString(next.dueAt), firedThrough: fired?.localDate ?? null };
};

async function moveOn(
  trx: Executor<SchedulerDatabase>,
  decisions: ReadonlyArray<{ familyId: string; position: string } & Decided>,
): Promise<void> {
  // One statement for the whole batch rather than one UPDATE per family. The claimed rows
  // are found again by their physical position (ctid), which cannot change while this
  // transaction holds their row locks: a TID scan rather than a primary key lookup per
  // family. Joined with unnest() by family id alone, the planner would hash the whole
  // table (a full scan of a million schedules per batch).
  await sql`
    update family_schedule as s
    set next_due_at = v.next_due_at,
        fired_through = greatest(s.fired_through, v.fired_through),
        updated_at = now()
    from unnest(
      ${decisions.map((d) => d.familyId)}::uuid[],
      ${decisions.map((d) => d.nextDueAt)}::timestamptz[],
      ${decisions.map((d) => d.firedThrough)}::date[]
    ) as v(family_id, next_due_at, fired_through)
    where s.ctid = any(${decisions.map((d) => d.position)}::tid[]) and s.family_id = v.family_id`.execute(trx);
}
