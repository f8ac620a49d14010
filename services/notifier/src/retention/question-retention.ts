import { rowsOlderThan } from '@haru/runtime';

/** An answer older than the retention period: its question's reminder is long settled. */
export const answerRetention = rowsOlderThan('answers', 'answered_at');

/**
 * A question that opened longer ago than the retention period, once its pushes are gone (the
 * notification sweep removes them): nothing quotes its text any more.
 */
export const questionRetention = rowsOlderThan(
  'questions',
  'opens_at',
  `not exists (select from notifications n
    where n.family_id = questions.family_id and n.question_id = questions.question_id)`,
);
