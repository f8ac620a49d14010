import type { Database } from '@haru/db';
import { HaruError } from '@haru/errors';
import { Hono } from 'hono';
import { validate as isUuid } from 'uuid';
import { z } from 'zod';
import type { ProjectionDatabase } from '../database.ts';

const recentQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(100).default(7) });

/** Read side for the gateway: a question's progress, the completion of several, and a family's last questions. */
export function completionRoutes(database: Database<ProjectionDatabase>) {
  return new Hono()
    .get('/:familyId/questions/:questionId/progress', async (c) => {
      const familyId = c.req.param('familyId');
      const questionId = c.req.param('questionId');
      if (!isUuid(familyId) || !isUuid(questionId)) throw new HaruError('not-found', 'no such question');
      const [progress, answers] = await Promise.all([
        database.db
          .selectFrom('question_progress')
          .select(['completed_at', 'opened_at'])
          .where('family_id', '=', familyId)
          .where('question_id', '=', questionId)
          .executeTakeFirst(),
        database.db
          .selectFrom('answers')
          .select(['member_id'])
          .where('family_id', '=', familyId)
          .where('question_id', '=', questionId)
          .orderBy('answered_at')
          .execute(),
      ]);
      if (!progress && answers.length === 0) throw new HaruError('not-found', 'no progress for this question yet');
      return c.json({
        familyId,
        questionId,
        answeredBy: answers.map((row) => row.member_id),
        complete: Boolean(progress?.completed_at),
        completedAt: progress?.completed_at?.toISOString() ?? null,
      });
    })
    .get('/:familyId/completions', async (c) => {
      const familyId = c.req.param('familyId');
      const questionIds = (c.req.query('questionIds') ?? '').split(',').filter(Boolean);
      if (questionIds.length > 50 || !questionIds.every(isUuid)) {
        throw new HaruError('invalid', 'questionIds: up to 50 question ids, comma-separated');
      }
      if (!isUuid(familyId) || questionIds.length === 0) return c.json({ familyId, completions: [] });
      // One primary-key lookup per question.
      const rows = await database.db
        .selectFrom('question_progress')
        .select(['question_id', 'completed_at'])
        .where('family_id', '=', familyId)
        .where('question_id', 'in', questionIds)
        .where('completed_at', 'is not', null)
        .execute();
      return c.json({
        familyId,
        // Only the complete ones: a question not listed is not complete (or not seen yet).
        completions: rows.map((row) => ({ questionId: row.question_id, completedAt: row.completed_at?.toISOString() })),
      });
    })
    .get('/:familyId/questions', async (c) => {
      const familyId = c.req.param('familyId');
      const query = recentQuery.safeParse(c.req.query());
      if (!query.success) throw new HaruError('invalid', z.prettifyError(query.error));
      if (!isUuid(familyId)) return c.json({ familyId, questions: [] });
      const rows = await database.db
        .selectFrom('question_progress')
        .select(['question_id', 'local_date', 'opened_at', 'completed_at'])
        .where('family_id', '=', familyId)
        .where('opened_at', 'is not', null)
        .orderBy('opened_at', 'desc')
        .limit(query.data.limit)
        .execute();
      return c.json({
        familyId,
        // Newest first; a question is listed once its QuestionOpened has been applied.
        questions: rows.map((row) => ({
          questionId: row.question_id,
          localDate: row.local_date,
          openedAt: row.opened_at?.toISOString() ?? null,
          complete: row.completed_at !== null,
          completedAt: row.completed_at?.toISOString() ?? null,
        })),
      });
    });
}
