import { answerInputSchema } from '@haru/contracts';
import { z } from 'zod';

// What the app sends and gets back about questions and answers (see family-schemas.ts).

export const answerInput = answerInputSchema.meta({ id: 'AnswerInput' });

const id = z.uuid();

const answer = z
  .strictObject({ memberId: id, text: z.string(), answeredAt: z.iso.datetime({ offset: true }) })
  .meta({ id: 'Answer' });

export const currentQuestion = z
  .strictObject({
    questionId: id,
    localDate: z.iso.date().meta({ description: "the family's local date the question is for" }),
    text: z.string().meta({ description: "in the caller's language" }),
    openedAt: z.iso.datetime({ offset: true }),
    answeredBy: z.array(id).meta({ description: 'the members who have answered' }),
    complete: z.boolean().meta({ description: 'whether every member who has to answer has' }),
    answers: z.array(answer).meta({ description: "everyone's answers once the caller has answered; until then empty" }),
  })
  .meta({ id: 'CurrentQuestion' });

export const submittedAnswer = z
  .strictObject({ questionId: id, text: z.string().meta({ description: 'the answer, as recorded' }) })
  .meta({ id: 'SubmittedAnswer' });

export const examples = {
  currentQuestion: {
    questionId: '019ad8b1-0c3e-7a12-8f4d-5e6a7b8c9d0e',
    localDate: '2026-12-03',
    text: 'What made you laugh today?',
    openedAt: '2026-12-03T12:00:00.000Z',
    answeredBy: ['019ad8a8-6b30-7d02-8a11-0b2c3d4e5f60'],
    complete: false,
    answers: [],
  } satisfies z.input<typeof currentQuestion>,
  answerInput: { text: 'The dog chasing its tail.' } satisfies z.input<typeof answerInput>,
  submittedAnswer: {
    questionId: '019ad8b1-0c3e-7a12-8f4d-5e6a7b8c9d0e',
    text: 'The dog chasing its tail.',
  } satisfies z.input<typeof submittedAnswer>,
};
