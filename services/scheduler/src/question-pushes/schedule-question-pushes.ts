import type { Executor } from '@haru/db';
import { sql } from 'kysely';
import type { SchedulerDatabase } from '../database.ts';
import { quietHoursOf } from '../family-schedule/family-schedule.repository.ts';
import { toDate, toInstant } from '../instants.ts';
import { completePushDueAt } from '../schedule/complete-push-due-at.ts';
import { reminderDueAt } from '../schedule/reminder-due-at.ts';
import type { PendingPushTable } from './pending-push.table.ts';

type Db = Executor<SchedulerDatabase>;

/**
 * Puts into the due-index the pushes that follow the family's questions (or just
 * `questionId`) and are not settled yet:
 * - the reminder of every opened question, due at the reminder offset after opening;
 * - the "complete" push of every question both opened and complete, due at
 *   max(opened, completed);
 * each deferred past quiet hours. Upserts, so that a schedule change moves a push still
 * waiting; a push already in the fire ledger (announced or skipped) is never scheduled
 * again. Without a schedule (FamilyCreated not seen yet) nothing is scheduled:
 * FamilyCreated calls this again when it arrives.
 */
export async function scheduleQuestionPushes(
  trx: Db,
  familyId: string,
  cause: { id: string; correlationId: string },
  questionId?: string,
): Promise<void> {
  const settled = (kind: 'complete' | 'reminder') =>
    sql<boolean>`exists (select from fired f
      where f.family_id = p.family_id and f.kind = ${kind} and f.subject = p.question_id::text)`;
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
      's.reminder_offset_minutes',
      settled('complete').as('complete_settled'),
      settled('reminder').as('reminder_settled'),
    ])
    .where('p.family_id', '=', familyId)
    .where('p.opened_at', 'is not', null)
    // Only questions with a push left to schedule, not the family's whole history. In
    // parentheses: raw SQL joins the other conditions as it is, and AND binds tighter than OR.
    .where(sql<boolean>`(not ${settled('reminder')} or (p.completed_at is not null and not ${settled('complete')}))`);
  if (questionId) query = query.where('p.question_id', '=', questionId);
  const questions = await query.execute();

  const pushes: PendingPushTable[] = [];
  for (const question of questions) {
    if (!question.opened_at) continue; // excluded by the query; the types cannot see it
    const openedAt = toInstant(question.opened_at);
    const schedule = {
      timezone: question.timezone,
      quietHours: quietHoursOf(question),
      reminderOffsetMinutes: question.reminder_offset_minutes,
    };
    const push = (kind: PendingPushTable['kind'], dueAt: Date): PendingPushTable => ({
      family_id: familyId,
      question_id: question.question_id,
      kind,
      due_at: dueAt,
      correlation_id: cause.correlationId,
      causation_id: cause.id,
    });
    if (!question.reminder_settled) pushes.push(push('reminder', toDate(reminderDueAt(openedAt, schedule))));
    if (question.completed_at && !question.complete_settled) {
      const completedAt = toInstant(question.completed_at);
      pushes.push(push('complete', toDate(completePushDueAt({ openedAt, completedAt }, schedule))));
    }
  }
  if (pushes.length === 0) return;

  await trx
    .insertInto('pending_push')
    .values(pushes)
    .onConflict((conflict) =>
      conflict.columns(['family_id', 'question_id', 'kind']).doUpdateSet({ due_at: (eb) => eb.ref('excluded.due_at') }),
    )
    .execute();
}
