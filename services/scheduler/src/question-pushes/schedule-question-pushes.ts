import type { Executor } from '@haru/db';
import { sql } from 'kysely';
import type { SchedulerDatabase } from '../database.ts';
import { quietHoursOf } from '../family-schedule/family-schedule.repository.ts';
import { toDate, toInstant } from '../instants.ts';
import { completePushDueAt } from '../schedule/complete-push-due-at.ts';

type Db = Executor<SchedulerDatabase>;

/**
 * Records when a question opened or completed. The earliest report wins, so duplicates
 * and reordering converge; a row is created by whichever of the two arrives first.
 */
export async function recordQuestionProgress(
  trx: Db,
  { familyId, questionId }: { familyId: string; questionId: string },
  progress: { openedAt: Date } | { completedAt: Date },
): Promise<void> {
  const column = 'openedAt' in progress ? 'opened_at' : 'completed_at';
  const at = 'openedAt' in progress ? progress.openedAt : progress.completedAt;
  await trx
    .insertInto('question_progress')
    .values({ family_id: familyId, question_id: questionId, [column]: at })
    .onConflict((conflict) =>
      conflict.columns(['family_id', 'question_id']).doUpdateSet({
        [column]: sql<Date>`least(${sql.ref(`question_progress.${column}`)}, ${sql.ref(`excluded.${column}`)})`,
      }),
    )
    .execute();
}

/**
 * Puts the "complete" push of every question of the family (or just `questionId`) that
 * is both opened and complete, and not yet announced, into the due-index, due at
 * max(opened, completed) deferred past quiet hours. Upserts, so that a schedule change
 * moves a push still waiting. Without a schedule (FamilyCreated not seen yet) nothing
 * is scheduled: FamilyCreated calls this again when it arrives.
 */
export async function scheduleCompletePushes(
  trx: Db,
  familyId: string,
  cause: { id: string; correlationId: string },
  questionId?: string,
): Promise<void> {
  let query = trx
    .selectFrom('question_progress as p')
    .innerJoin('family_schedule as s', 's.family_id', 'p.family_id')
    .select([
      'p.question_id',
      'p.opened_at',
      'p.completed_at',
      's.timezone',
      's.quiet_hours_start',
      's.quiet_hours_end',
    ])
    .where('p.family_id', '=', familyId)
    .where('p.opened_at', 'is not', null)
    .where('p.completed_at', 'is not', null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('fired as f')
            .select('f.subject')
            .whereRef('f.family_id', '=', 'p.family_id')
            .where('f.kind', '=', 'complete')
            .where('f.subject', '=', sql<string>`p.question_id::text`),
        ),
      ),
    );
  if (questionId) query = query.where('p.question_id', '=', questionId);
  const ready = await query.execute();
  if (ready.length === 0) return;

  await trx
    .insertInto('pending_push')
    .values(
      ready.map((row) => ({
        family_id: familyId,
        question_id: row.question_id,
        kind: 'complete' as const,
        due_at: toDate(
          completePushDueAt(
            // Both are non-null by the query; the types cannot see it.
            { openedAt: toInstant(row.opened_at as Date), completedAt: toInstant(row.completed_at as Date) },
            { timezone: row.timezone, quietHours: quietHoursOf(row) },
          ),
        ),
        correlation_id: cause.correlationId,
        causation_id: cause.id,
      })),
    )
    .onConflict((conflict) =>
      conflict.columns(['family_id', 'question_id', 'kind']).doUpdateSet({ due_at: (eb) => eb.ref('excluded.due_at') }),
    )
    .execute();
}
