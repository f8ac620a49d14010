import { HaruError } from '@haru/errors';
import type { ServiceClient } from '@haru/http';
import type { ReminderAudience } from '../schedule/decide-reminder.ts';

export interface QuestionKey {
  familyId: string;
  questionId: string;
}

export const questionKey = ({ familyId, questionId }: QuestionKey): string => `${familyId}/${questionId}`;

/**
 * Whom each question's reminder would reach, keyed by `questionKey`; a question the
 * projection has not seen open is absent. Rejects when the projection cannot be asked.
 */
export type AwaitedMembers = (questions: readonly QuestionKey[]) => Promise<Map<string, ReminderAudience>>;

/** The projection's limit on questions per request. */
const questionsPerRequest = 1000;

/**
 * Asks the projection, which keeps who answered each question (docs/decisions/0011), in
 * as few requests as its limit allows.
 */
export function projectionAwaitedMembers(projection: ServiceClient): AwaitedMembers {
  return async (questions) => {
    const audiences = new Map<string, ReminderAudience>();
    for (let start = 0; start < questions.length; start += questionsPerRequest) {
      const chunk = questions.slice(start, start + questionsPerRequest);
      const response = await projection({
        method: 'POST',
        path: '/internal/questions/awaited-members',
        body: { questions: chunk.map(({ familyId, questionId }) => ({ familyId, questionId })) },
      });
      if (!response.ok) {
        throw new HaruError('unavailable', `the projection answered ${response.status} when asked whom to remind`);
      }
      const { questions: known } = (await response.json()) as {
        questions: Array<QuestionKey & ReminderAudience>;
      };
      for (const { familyId, questionId, awaitedMemberIds, complete } of known) {
        audiences.set(questionKey({ familyId, questionId }), { awaitedMemberIds, complete });
      }
    }
    return audiences;
  };
}
