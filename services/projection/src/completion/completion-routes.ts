import type { Database } from '@haru/db';
import { HaruError } from '@haru/errors';
import { Hono } from 'hono';
import { validate as isUuid } from 'uuid';
import type { ProjectionDatabase } from '../database.ts';

/** Read side for the gateway: a question's progress. */
export function completionRoutes(database: Database<ProjectionDatabase>) {
  return new Hono().get('/:familyId/questions/:questionId/progress', async (c) => {
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
  });
}
