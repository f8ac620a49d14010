import { randomUUID } from 'node:crypto';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { createEvent, type EventOf } from '@haru/contracts';
import { eventually } from '@haru/dev-stack';
import type { InternalCall } from './internal-api.ts';

/**
 * Publishes the scheduler's QuestionDue for a family's local date on the topic, as in
 * production (the answer service opens the question when it arrives); resolves with it.
 */
export async function publishQuestionDue(
  { sns, topicArn }: { sns: SNSClient; topicArn: string },
  familyId: string,
  localDate: string,
  correlationId: string = randomUUID(),
): Promise<EventOf<'QuestionDue'>> {
  const due = createEvent(
    'QuestionDue',
    familyId,
    { localDate, dueAt: new Date().toISOString() },
    { occurredAt: new Date(), correlationId, causationId: null },
  );
  await sns.send(
    new PublishCommand({
      TopicArn: topicArn,
      Message: JSON.stringify(due),
      MessageAttributes: { type: { DataType: 'String', StringValue: due.type } },
    }),
  );
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
