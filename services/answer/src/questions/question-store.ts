import type { EventContext } from '@haru/contracts';
import type { Database, Executor } from '@haru/db';
import type { AnswerDatabase } from '../database.ts';
import { executeCommand, readStream } from '../event-store/event-store.ts';
import type { FamilyState } from '../families/family.ts';
import {
  decideQuestion,
  evolveQuestion,
  initialQuestionState,
  type QuestionCommand,
  type QuestionEvent,
  type QuestionState,
} from './question.ts';

export const questionStream = (questionId: string): string => `question-${questionId}`;

const foldQuestion = (events: QuestionEvent[]): QuestionState => events.reduce(evolveQuestion, initialQuestionState());

export async function loadQuestion(db: Executor<AnswerDatabase>, questionId: string): Promise<QuestionState> {
  const { events } = await readStream<QuestionEvent>(db, questionStream(questionId));
  return foldQuestion(events);
}

export async function runQuestionCommand(
  database: Database<AnswerDatabase>,
  familyId: string,
  family: FamilyState,
  command: QuestionCommand,
  context: EventContext,
): Promise<{ state: QuestionState; appended: QuestionEvent[] }> {
  const { history, appended } = await executeCommand<QuestionEvent>(database, {
    streamId: questionStream(command.data.questionId),
    familyId,
    context,
    decide: (events) => decideQuestion(command, family, foldQuestion(events)),
  });
  return { state: foldQuestion(history), appended };
}
