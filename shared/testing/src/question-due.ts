import { randomUUID } from 'node:crypto';
import { createEvent, type EventOf } from '@haru/contracts';
import { eventually } from '@haru/dev-stack';
import type { InternalCall } from './internal-api.ts';
import { publishEvent, type Topic } from './publish-event.ts';

/**
 * Publishes the scheduler's QuestionDue for a family's local date on the topic, as in
 * production (the answer service opens the question when it arrives, or prepares it to
 * open at `dueAt` when that is still to come); resolves with it.
 */
export async function publishQuestionDue(
  topic: Topic,
  familyId: string,
  localDate: string,
  correlationId: string = randomUUID(),
  dueAt: Date = new Date(),
): Promise<EventOf<'QuestionDue'>> {
  const due = createEvent(
    'QuestionDue',
    familyId,
    { localDate, dueAt: dueAt.toISOString() },
    { occurredAt: new Date(), correlationId, causationId: null },
  );
  await publishEvent(topic, due);
  return due;
}

/**
 * Waits until the answer service (its internal API, `call`) shows member `uid` the family's
 * question of `localDate`; resolves with the question as shown. At the deadline it says what
 * the service last answered.
 */
export const questionOpened = (
  call: InternalCall,
  uid: string,
  familyId: string,
  localDate: string,
  { timeoutMs = 20_000 }: { timeoutMs?: number } = {},
) =>
  eventually(
    async () => {
      const { status, body } = await call(uid, 'GET', `/families/${familyId}/questions/current`);
      if (status !== 200) throw new Error(`the answer service answered ${status}: ${JSON.stringify(body)}`);
      if (body.localDate !== localDate) throw new Error(`the current question is of ${body.localDate}`);
      return body;
    },
    { timeoutMs, message: `the question of ${localDate} opens` },
  );
