import type { EventContext } from '@haru/contracts';
import type { Database, Executor } from '@haru/db';
import type { AnswerDatabase } from '../database.ts';
import { commandBatches } from '../event-store/command-batches.ts';
import { readStream } from '../event-store/event-store.ts';
import type { FamilyEvent } from '../families/family.ts';
import { familyStream, foldFamily } from '../families/family-store.ts';
import {
  decideQuestion,
  evolveQuestion,
  initialQuestionState,
  type QuestionCommand,
  type QuestionEvent,
  type QuestionState,
} from './question.ts';

export const questionStream = (questionId: string): string => `question-${questionId}`;

export const foldQuestion = (events: QuestionEvent[]): QuestionState =>
  events.reduce(evolveQuestion, initialQuestionState());

export async function loadQuestion(db: Executor<AnswerDatabase>, questionId: string): Promise<QuestionState> {
  const { events } = await readStream<QuestionEvent>(db, questionStream(questionId));
  return foldQuestion(events);
}

/**
 * Decides question commands on the question's stream, with the family's stream read in the
 * same query, and resolves with the events each appended (none for a repeat). Answers that
 * arrive together are written together (`commandBatches`).
 */
export function questionCommands(database: Database<AnswerDatabase>) {
  const run = commandBatches<QuestionEvent>(database);
  return async (familyId: string, command: QuestionCommand, context: EventContext): Promise<QuestionEvent[]> => {
    const family = familyStream(familyId);
    const { appended } = await run({
      streamId: questionStream(command.data.questionId),
      familyId,
      context,
      alsoRead: [family],
      decide: (events, streams) =>
        decideQuestion(command, foldFamily((streams.get(family)?.events ?? []) as FamilyEvent[]), foldQuestion(events)),
    });
    return appended;
  };
}
