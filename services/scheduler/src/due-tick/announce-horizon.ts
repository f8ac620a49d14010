import type { Executor } from '@haru/db';
import { sql } from 'kysely';
import type { SchedulerDatabase } from '../database.ts';

export interface LeadOptions {
  /** How long before its instant a push is announced at the least (SCHEDULER_LEAD_MS). */
  leadMs: number;
  /** The longest a crowded minute's pushes are announced ahead (SCHEDULER_MAX_LEAD_MS). */
  maxLeadMs: number;
  /** Families a second the services open and prepare (SCHEDULER_PREPARE_RATE). */
  prepareRate: number;
}

/** What the tick announces ahead of its instant, and each crowd counted by the instants on its due-index. */
export type Announced = 'questions' | 'reminders';

const dueInstants = (announced: Announced, until: Date) =>
  announced === 'questions'
    ? sql`select next_due_at as due from family_schedule where next_due_at <= ${until}`
    : sql`select due_at as due from pending_push where kind = 'reminder' and due_at <= ${until}`;

/**
 * How far ahead the tick announces questions, or reminders: the end of the lead, or further
 * when more families are due soon than the services can prepare in time. Announced pushes
 * are prepared at about `prepareRate` families a second, one family after another in due
 * order (a question is also opened by the answer service; a reminder asks the projection
 * first); so the families due by an instant t, still to announce, need (their number ÷
 * `prepareRate`) seconds, which must fit between now and t's lead. Where they do not (a
 * minute 100,000 families share, with a 5-minute lead, and three hours later their
 * reminders), every family due by t is announced now, up to `maxLeadMs` ahead. Each due
 * instant of the coming `maxLeadMs` is one row of the count (push times fall on whole
 * minutes, and so do reminders, an offset in minutes after them or the end of quiet hours).
 */
export async function announceHorizon(
  db: Executor<SchedulerDatabase>,
  announced: Announced,
  now: Date,
  { leadMs, maxLeadMs, prepareRate }: LeadOptions,
): Promise<Date> {
  const leadEnd = new Date(now.getTime() + leadMs);
  if (maxLeadMs <= leadMs) return leadEnd;
  const { rows } = await sql<{ crowded_until: Date | null }>`
    select max(due) as crowded_until
    from (select due, sum(count(*)) over (order by due) as families
          from (${dueInstants(announced, new Date(now.getTime() + maxLeadMs))}) instants
          group by due) ahead
    where families > ${prepareRate} * extract(epoch from due - ${leadEnd}::timestamptz)`.execute(db);
  const crowdedUntil = rows[0]?.crowded_until;
  return crowdedUntil && crowdedUntil > leadEnd ? crowdedUntil : leadEnd;
}
