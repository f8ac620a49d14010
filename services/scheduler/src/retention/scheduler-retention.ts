import type { RetentionStep } from '@haru/runtime';
import { sql } from 'kysely';

const dayMs = 86_400_000;

/**
 * A family's question ledger rows (`fired`, kind "question", one per local date) once their
 * date can never be announced again: the tick announces a date only within the catch-up
 * window after its instant (and never one before the family's `fired_through`), so a row
 * older than the retention period and than the window plus two days (a margin for time
 * zones and clocks) guards nothing.
 */
export const firedQuestionRetention = ({ catchUpWindowMinutes }: { catchUpWindowMinutes: number }): RetentionStep => ({
  name: 'fired (questions)',
  async removeBatch(db, { now, cutoff, limit }) {
    const guarded = new Date(now.getTime() - catchUpWindowMinutes * 60_000 - 2 * dayMs);
    const before = cutoff < guarded ? cutoff : guarded;
    const result = await sql`
      delete from fired where ctid in (
        select ctid from fired where kind = 'question' and due_at < ${before} limit ${limit})`.execute(db);
    return Number(result.numAffectedRows ?? 0);
  },
});

/**
 * A question whose last change (opened, completed) is older than the retention period and
 * that has no push waiting, as a whole: its progress and its reminder and
 * "complete" ledger rows, in one statement. The ledger rows go only with the progress:
 * while the scheduler knows a question, a settled push missing from the ledger would be
 * scheduled again (by any schedule change); once it has forgotten it, a late completion
 * (a member leaving completes an old question) is recorded without an opening, which
 * schedules nothing, so no push goes out for a question that old.
 */
export const settledQuestionRetention: RetentionStep = {
  name: 'question_progress',
  batchSize: 500,
  async removeBatch(db, { cutoff, limit }) {
    const { rows } = await sql<{ removed: string }>`
      with forgotten as (
        delete from question_progress where ctid in (
          select ctid from question_progress p
          where greatest(p.opened_at, p.completed_at) < ${cutoff}
            and not exists (select from pending_push w
              where w.family_id = p.family_id and w.question_id = p.question_id)
          limit ${limit})
        returning family_id, question_id),
      ledger as (
        delete from fired l using forgotten f
        where l.family_id = f.family_id and l.subject = f.question_id::text and l.kind in ('reminder', 'complete'))
      select count(*) as removed from forgotten`.execute(db);
    return Number(rows[0]?.removed ?? 0);
  },
};
