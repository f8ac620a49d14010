import type { EventContext } from '@haru/contracts';
import type { Database, Executor } from '@haru/db';
import { HaruError } from '@haru/errors';
import type { AnswerDatabase } from '../database.ts';
import { commandBatches } from '../event-store/command-batches.ts';
import { type Fold, readStream } from '../event-store/event-store.ts';
import { familyFold, familyStream } from '../families/family.repository.ts';
import type { FamilyState } from '../families/family.ts';
import { familyAskedQuestion } from './archive-page.ts';
import {
  decideQuestion,
  evolveQuestion,
  initialQuestionState,
  NotARecentQuestion,
  type QuestionCommand,
  type QuestionEvent,
  type QuestionState,
} from './question.ts';

export const questionStream = (questionId: string): string => `question-${questionId}`;

/** A question's answers, folded from its stream (a handful of events: one per member). */
export const questionFold: Fold<QuestionState, QuestionEvent> = {
  initial: initialQuestionState,
  evolve: evolveQuestion,
};

export const foldQuestion = (events: QuestionEvent[]): QuestionState =>
  events.reduce(evolveQuestion, initialQuestionState());

export async function loadQuestion(db: Executor<AnswerDatabase>, questionId: string): Promise<QuestionState> {
  return (await readStream(db, questionStream(questionId), questionFold)).state;
}

/**
 * Decides question commands on the question's stream, with the family's state read in the
 * same query, and resolves with the events each appended (none for a repeat). Answers that
 * arrive together are written together (`commandBatches`).
 */
export function questionCommands(database: Database<AnswerDatabase>) {
  const run = commandBatches<QuestionState, QuestionEvent>(database);
  return async (familyId: string, command: QuestionCommand, context: EventContext): Promise<QuestionEvent[]> => {
    const family = familyStream(familyId);
    try {
      const { appended } = await run({
        streamId: questionStream(command.data.questionId),
        fold: questionFold,
        familyId,
        context,
        alsoRead: [{ streamId: family, fold: familyFold }],
        decide: (question, streams) => decideQuestion(command, streams.get(family)?.state as FamilyState, question),
      });
      return appended;
    } catch (error) {
      // Off the answers' path: only an answer to an old (or unknown) question comes here.
      if (error instanceof NotARecentQuestion && (await familyAskedQuestion(database.db, familyId, error.questionId))) {
        throw new HaruError('conflict', 'this question is no longer open');
      }
      throw error;
    }
  };
}
