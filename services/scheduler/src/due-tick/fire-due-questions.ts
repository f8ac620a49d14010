import { createEvent, type EventOf, newEventId } from '@haru/contracts';
import type { Executor } from '@haru/db';
import { appendToOutbox, transactionWithOutbox } from '@haru/messaging';
import { type Kysely, sql } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import type { SchedulerDatabase } from '../database.ts';
import { quietHoursOf } from '../family-schedule/family-schedule.repository.ts';
import { toDate, toInstant, toIsoString } from '../instants.ts';
import { type DueQuestionDecision, decideDueQuestion } from '../schedule/decide-due-question.ts';
import { recordFired } from './fired.repository.ts';

export interface FireOptions {
  now: Date;
  batchSize: number;
}

/**
 * One batch of the question tick, in one transaction: claims families whose due instant
 * has come (SKIP LOCKED, so replicas share the index without waiting on each other),
 * records each question in the fire ledger, appends QuestionDue to the outbox, and moves
 * each family on to its next occurrence. Resolves with how many rows it claimed (so the
 * caller knows whether more are waiting) and the events it announced.
 */
export async function fireDueQuestions(
  db: Kysely<SchedulerDatabase>,
  { now, batchSize, catchUpWindowMinutes }: FireOptions & { catchUpWindowMinutes: number },
): Promise<{ claimed: number; fired: number; events: EventOf<'QuestionDue'>[] }> {
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
      ])
      .where('next_due_at', '<=', now)
      .orderBy('next_due_at')
      .limit(batchSize)
      .forUpdate()
      .skipLocked()
      .execute();
    if (due.length === 0) return { claimed: 0, fired: 0, events: [] };

    // Families due together mostly share a zone and push time: each distinct schedule is
    // decided once per batch (the time zone arithmetic is the tick's main CPU cost).
    const decided = new Map<string, DueQuestionDecision>();
    const decisions = due.map((row) => {
      const key = `${row.timezone} ${row.push_time} ${row.fired_through}`;
      let decision = decided.get(key);
      if (!decision) {
        decision = decideDueQuestion(
          { timezone: row.timezone, pushTime: row.push_time, quietHours: quietHoursOf(row) },
          {
            now: toInstant(now),
            firedThrough: row.fired_through === null ? null : Temporal.PlainDate.from(row.fired_through),
            catchUpWindowMinutes,
          },
        );
        decided.set(key, decision);
      }
      return { familyId: row.family_id, ...decision };
    });

    const events = await recordFired(
      trx,
      decisions.flatMap(({ familyId, fire }) => {
        if (!fire) return [];
        // A tick starts a causal chain of its own: the event is its own correlation.
        const id = newEventId();
        const localDate = fire.localDate.toString();
        const event = createEvent(
          'QuestionDue',
          familyId,
          { localDate, dueAt: toIsoString(fire.dueAt) },
          { occurredAt: now, correlationId: id, causationId: null },
          id,
        );
        return [{ familyId, subject: localDate, kind: 'question' as const, dueAt: toDate(fire.dueAt), event }];
      }),
    );
    await appendToOutbox(trx, events);
    await moveOn(trx, decisions);
    return { claimed: due.length, fired: events.length, events };
  });
}

async function moveOn(
  trx: Executor<SchedulerDatabase>,
  decisions: Array<{
    familyId: string;
    fire: { localDate: Temporal.PlainDate } | null;
    next: { dueAt: Temporal.Instant };
  }>,
): Promise<void> {
  // One statement for the whole batch rather than one UPDATE per family. The `= any`
  // makes the planner find the rows by primary key: joined with unnest() alone, it hashes
  // the whole table (a full scan of a million schedules per batch).
  const familyIds = decisions.map((d) => d.familyId);
  await sql`
    update family_schedule as s
    set next_due_at = v.next_due_at,
        fired_through = greatest(s.fired_through, v.fired_through),
        updated_at = now()
    from unnest(
      ${familyIds}::uuid[],
      ${decisions.map((d) => toIsoString(d.next.dueAt))}::timestamptz[],
      ${decisions.map((d) => d.fire?.localDate.toString() ?? null)}::date[]
    ) as v(family_id, next_due_at, fired_through)
    where s.family_id = any(${familyIds}::uuid[]) and s.family_id = v.family_id`.execute(trx);
}
