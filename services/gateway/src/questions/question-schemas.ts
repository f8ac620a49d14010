import { answerInputSchema, archiveQuerySchema } from '@haru/contracts';
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

export const archiveQuery = z.object({
  before: archiveQuerySchema.shape.before.meta({
    description: 'the `nextCursor` of the page before (a local date): questions dated before it',
    example: '2026-11-20',
  }),
  limit: archiveQuerySchema.shape.limit.meta({ description: 'questions per page, 1–50 (20)', example: 20 }),
});

export const archivedQuestion = z
  .strictObject({
    questionId: id,
    localDate: z.iso.date().meta({ description: "the family's local date the question was for" }),
    text: z.string().meta({ description: "in the caller's language" }),
    openedAt: z.iso.datetime({ offset: true }),
    completedAt: z.iso
      .datetime({ offset: true })
      .nullable()
      .meta({ description: 'when everyone who had to answer had; null while someone has not' }),
    answeredBy: z.array(id).meta({ description: 'the members who answered, first answer first' }),
    answers: z
      .array(answer)
      .meta({ description: "everyone's answers, if the caller answered this question; otherwise empty" }),
  })
  .meta({ id: 'ArchivedQuestion' });

export const archivePage = z
  .strictObject({
    items: z.array(archivedQuestion).meta({ description: 'newest first' }),
    nextCursor: z.iso
      .date()
      .nullable()
      .meta({ description: 'pass as `before` for the next page; null on the last page' }),
  })
  .meta({ id: 'ArchivePage' });

export const submittedAnswer = z
  .strictObject({ questionId: id, text: z.string().meta({ description: 'the answer, as recorded' }) })
  .meta({ id: 'SubmittedAnswer' });

/** A question of the archive, read alone or on a page. */
const archivedQuestionExample = {
  questionId: '019ad8b1-0c3e-7a12-8f4d-5e6a7b8c9d0e',
  localDate: '2026-12-03',
  text: 'What made you laugh today?',
  openedAt: '2026-12-03T12:00:00.000Z',
  completedAt: '2026-12-03T13:10:00.000Z',
  answeredBy: ['019ad8a8-6b30-7d02-8a11-0b2c3d4e5f60', '019ad8a9-1f00-7e55-9b22-1c2d3e4f5a6b'],
  answers: [
    {
      memberId: '019ad8a8-6b30-7d02-8a11-0b2c3d4e5f60',
      text: 'The dog chasing its tail.',
      answeredAt: '2026-12-03T12:20:00.000Z',
    },
    {
      memberId: '019ad8a9-1f00-7e55-9b22-1c2d3e4f5a6b',
      text: 'Dad singing in the car.',
      answeredAt: '2026-12-03T13:10:00.000Z',
    },
  ],
} satisfies z.input<typeof archivedQuestion>;

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
  archivedQuestion: archivedQuestionExample,
  archivePage: {
    items: [archivedQuestionExample],
    nextCursor: '2026-12-03',
  } satisfies z.input<typeof archivePage>,
  answerInput: { text: 'The dog chasing its tail.' } satisfies z.input<typeof answerInput>,
  submittedAnswer: {
    questionId: '019ad8b1-0c3e-7a12-8f4d-5e6a7b8c9d0e',
    text: 'The dog chasing its tail.',
  } satisfies z.input<typeof submittedAnswer>,
};
