// The question aggregate: one stream per opened question, holding its answers.
import { HaruError } from '@haru/errors';
import type { FamilyState } from '../families/family.ts';
import { currentQuestion, existing, requireMember } from '../families/family.ts';

export interface Answer {
  memberId: string;
  text: string;
  answeredAt: string;
}

export type QuestionEvent = { type: 'AnswerSubmitted'; data: Answer & { questionId: string } };

export type QuestionCommand = {
  type: 'SubmitAnswer';
  data: { questionId: string; uid: string; text: string };
  metadata: { now: Date };
};

export interface QuestionState {
  answers: Answer[];
}

export const initialQuestionState = (): QuestionState => ({ answers: [] });

/** Decides on an answer given the family (membership, which question is open) and the question. */
export function decideQuestion(
  command: QuestionCommand,
  family: FamilyState,
  question: QuestionState,
): QuestionEvent[] {
  const active = existing(family);
  const member = requireMember(active, command.data.uid);
  const { questionId, text } = command.data;
  const asked = active.questions.find((opened) => opened.questionId === questionId);
  if (!asked) throw new HaruError('not-found', 'no such question');
  const previous = question.answers.find((answer) => answer.memberId === member.memberId);
  if (previous) {
    // The same answer again is a retry; a different one would rewrite history.
    if (previous.text === text) return [];
    throw new HaruError('conflict', 'you have already answered this question differently');
  }
  if (Date.parse(asked.openedAt) > command.metadata.now.getTime()) {
    throw new HaruError('conflict', 'this question has not opened yet');
  }
  if (currentQuestion(active, command.metadata.now)?.questionId !== questionId) {
    throw new HaruError('conflict', 'this question is no longer open');
  }
  return [
    {
      type: 'AnswerSubmitted',
      data: { questionId, memberId: member.memberId, text, answeredAt: command.metadata.now.toISOString() },
    },
  ];
}

export function evolveQuestion(state: QuestionState, event: QuestionEvent): QuestionState {
  switch (event.type) {
    case 'AnswerSubmitted': {
      const { questionId: _, ...answer } = event.data;
      return { answers: [...state.answers, answer] };
    }
  }
}
