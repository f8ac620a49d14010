import { PublishCommand } from '@aws-sdk/client-sns';
import { createEvent } from '@haru/contracts';
import { eventually, type TestStack } from '@haru/testing';

/**
 * Opens a family's question of `localDate` as the scheduler would (QuestionDue on the
 * topic) and waits until a member (`idToken`) sees it through the gateway; resolves
 * with its id. If it never does, the error says what the gateway last answered and
 * carries the services' recent logs.
 */
export async function openQuestion(stack: TestStack, familyId: string, localDate: string, idToken: string) {
  const due = createEvent(
    'QuestionDue',
    familyId,
    { localDate, dueAt: new Date().toISOString() },
    { occurredAt: new Date(), correlationId: `test-${localDate}`, causationId: null },
  );
  await stack.aws.sns.send(
    new PublishCommand({
      TopicArn: stack.topology.topicArn,
      Message: JSON.stringify(due),
      MessageAttributes: { type: { DataType: 'String', StringValue: due.type } },
    }),
  );
  try {
    return await eventually(
      async () => {
        const response = await fetch(`${stack.url('gateway')}/v1/families/${familyId}/questions/current`, {
          headers: { authorization: `Bearer ${idToken}` },
        });
        if (!response.ok) throw new Error(`the gateway answered ${response.status}: ${await response.text()}`);
        const body = (await response.json()) as { questionId: string; localDate: string };
        if (body.localDate !== localDate) throw new Error(`the current question is of ${body.localDate}`);
        return body.questionId;
      },
      { timeoutMs: 20_000, message: `the question of ${localDate} opens` },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${stack.recentLogs()}`, { cause: error });
  }
}
