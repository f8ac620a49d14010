import type { Executor } from '@haru/db';
import { sql } from 'kysely';
import type { SchedulerDatabase } from '../database.ts';

export interface LeadOptions {
  /** How long before its instant a held "everyone answered" push is announced, and a question at the least (SCHEDULER_LEAD_MS). */
  leadMs: number;
  /** The longest a crowded minute's questions are announced ahead (SCHEDULER_MAX_LEAD_MS). */
  maxLeadMs: number;
  /** Families a second the services open and prepare (SCHEDULER_PREPARE_RATE). */
  prepareRate: number;
}

/**
 * How far ahead the tick announces questions: the end of the lead, or further when more
 * families are due soon than the services can prepare in time. Announced questions are
 * opened and their pushes prepared at about `prepareRate` families a second, one family
 * after another in due order; so the families due by an instant t, still to announce, need
 * (their number ÷ `prepareRate`) seconds, which must fit between now and t's lead. Where
 * they do not (a minute 100,000 families share, with a 5-minute lead), every family due by
 * t is announced now, up to `maxLeadMs` ahead. Each due instant of the coming `maxLeadMs`
 * is one row of the count (push times fall on whole minutes).
 */
export async function questionHorizon(
  db: Executor<SchedulerDatabase>,
  now: Date,
  { leadMs, maxLeadMs, prepareRate }: LeadOptions,
): Promise<Date> {
  const leadEnd = new Date(now.getTime() + leadMs);
  if (maxLeadMs <= leadMs) return leadEnd;
  const { rows } = await sql<{ crowded_until: Date | null }>`
    select max(due) as crowded_until
    from (select next_due_at as due, sum(count(*)) over (order by next_due_at) as families
          from family_schedule
          where next_due_at <= ${new Date(now.getTime() + maxLeadMs)}
          group by next_due_at) ahead
    where families > ${prepareRate} * extract(epoch from due - ${leadEnd}::timestamptz)`.execute(db);
  const crowdedUntil = rows[0]?.crowded_until;
  return crowdedUntil && crowdedUntil > leadEnd ? crowdedUntil : leadEnd;
}
