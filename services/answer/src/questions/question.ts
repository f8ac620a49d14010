// The question aggregate: one stream per opened question, holding its answers.
import { HaruError } from '@haru/errors';
import type { FamilyState } from '../families/family.ts';
import { currentQuestion, existing, requireMember } from '../families/family.ts';
import { erasedAnswerText } from '../personal-data/stand-ins.ts';

export interface Answer {
  memberId: string;
  text: string;
  answeredAt: string;
}

export type QuestionEvent =
  | { type: 'AnswerSubmitted'; data: Answer & { questionId: string } }
  /** The answer's author erased their account: its text is unreadable from then on (decision 9). */
  | { type: 'AnswerErased'; data: { questionId: string; memberId: string; erasedAt: string } };

export type QuestionCommand = {
  type: 'SubmitAnswer';
  data: { questionId: string; uid: string; text: string };
  metadata: { now: Date };
};

export interface QuestionState {
  answers: Answer[];
}

export const initialQuestionState = (): QuestionState => ({ answers: [] });

/**
 * The question is none of the family's recent ones: either one it had before, no longer
 * open (409), or one it never had (404). The family's state cannot tell which (it keeps no
 * archive); whoever ran the decision looks it up in the stream.
 */
export class NotARecentQuestion extends HaruError {
  readonly questionId: string;
  constructor(questionId: string) {
    super('not-found', 'no such question');
    this.questionId = questionId;
  }
}

/** Decides on an answer given the family (membership, which question is open) and the question. */
export function decideQuestion(
  command: QuestionCommand,
  family: FamilyState,
  question: QuestionState,
): QuestionEvent[] {
  const active = existing(family);
  const member = requireMember(active, command.data.uid);
  const { questionId, text } = command.data;
  const asked = active.recentQuestions.find((opened) => opened.questionId === questionId);
  if (!asked) throw new NotARecentQuestion(questionId);
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

/** An erased member's answer, if the question holds one not erased yet. */
export function decideAnswerErasure(
  question: QuestionState,
  { questionId, memberId, now }: { questionId: string; memberId: string; now: Date },
): QuestionEvent[] {
  const answer = question.answers.find((candidate) => candidate.memberId === memberId);
  // Erased already (a retry): the text is the stand-in (and whatever it was, its key is gone).
  if (!answer || answer.text === erasedAnswerText) return [];
  return [{ type: 'AnswerErased', data: { questionId, memberId, erasedAt: now.toISOString() } }];
}

export function evolveQuestion(state: QuestionState, event: QuestionEvent): QuestionState {
  switch (event.type) {
    case 'AnswerSubmitted': {
      const { questionId: _, ...answer } = event.data;
      return { answers: [...state.answers, answer] };
    }
    case 'AnswerErased': {
      const { memberId } = event.data;
      return {
        answers: state.answers.map((answer) =>
          answer.memberId === memberId ? { ...answer, text: erasedAnswerText } : answer,
        ),
      };
    }
  }
}
