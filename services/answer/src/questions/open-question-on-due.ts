import { causedBy, type DomainEvent } from '@haru/contracts';
import type { Database } from '@haru/db';
import { v5 as uuidv5 } from 'uuid';
import type { AnswerDatabase } from '../database.ts';
import { runFamilyCommand } from '../families/family.repository.ts';
import { currentCatalogue } from './catalogue.repository.ts';

const questionNamespace = '2f0c8c4e-5b7a-4a39-9b8e-0f5e6c1d7a21';

/** A family's question of a local date has one id, however often it is asked to open. */
export const questionIdFor = (familyId: string, localDate: string): string =>
  uuidv5(`${familyId}/${localDate}`, questionNamespace);

/**
 * QuestionDue → QuestionOpened, opening at the due instant: the scheduler sends QuestionDue
 * ahead of it, so the question is prepared (and its pushes with it) before the instant and
 * held invisible until then. A later QuestionDue for the same date that moves the instant of
 * a question still held (the schedule changed within the lead) reschedules it. Idempotent by the family's own state: a date that is
 * already open (or older than the latest) opens nothing, so redeliveries are harmless.
 */
export async function openQuestionOnDue(database: Database<AnswerDatabase>, event: DomainEvent): Promise<void> {
  if (event.type !== 'QuestionDue') return;
  const now = new Date();
  const { localDate, dueAt } = event.data;
  const catalogue = await currentCatalogue(database.db);
  await runFamilyCommand(
    database,
    event.familyId,
    {
      type: 'OpenQuestion',
      data: {
        localDate,
        questionId: questionIdFor(event.familyId, localDate),
        opensAt: new Date(dueAt),
        timedBy: event.occurredAt,
        catalogue,
      },
      metadata: { now },
    },
    causedBy(event, now),
  );
}
