import type { Database } from '@haru/db';
import { jsonBody } from '@haru/http';
import { Hono } from 'hono';
import { z } from 'zod';
import type { ProjectionDatabase } from '../database.ts';
import { awaitedMembers } from './completion.ts';
import { readCompletionFacts } from './completion-facts.ts';

/** As many questions as the scheduler claims reminders in one batch (SCHEDULER_TICK_BATCH_SIZE's ceiling). */
const maxAwaitedQuestions = 1000;

const awaitedQuery = z.strictObject({
  questions: z
    .array(z.strictObject({ familyId: z.uuid(), questionId: z.uuid() }))
    .min(1)
    .max(maxAwaitedQuestions),
});

/**
 * Read side for the scheduler's reminders: whom each question still waits for, decided
 * here, where who answered is kept. A POST because a batch of keys does not fit a URL;
 * it changes nothing. A question the model has not seen open is left out of the answer.
 */
export function awaitedMembersRoutes(database: Database<ProjectionDatabase>) {
  return new Hono().post('/awaited-members', jsonBody(awaitedQuery), async (c) => {
    const known = await readCompletionFacts(database.db, c.req.valid('json').questions);
    return c.json({
      questions: known.map(({ familyId, questionId, facts, storedCompletedAt }) => ({
        familyId,
        questionId,
        complete: storedCompletedAt !== null,
        awaitedMemberIds: awaitedMembers(facts) ?? [],
      })),
    });
  });
}
