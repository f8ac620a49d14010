import { rowsOlderThan } from '@haru/runtime';

/** An answer older than the retention period: its question's reminder is long settled. */
export const answerRetention = rowsOlderThan('answers', 'answered_at');
