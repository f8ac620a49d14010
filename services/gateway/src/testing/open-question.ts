import { PublishCommand } from '@aws-sdk/client-sns';
import { createEvent } from '@haru/contracts';
import { eventually, internalApi, type TestStack, type TestUser } from '@haru/testing';

/**
 * Opens a family's question of `localDate` as the scheduler would (QuestionDue on the
 * topic) and waits until `member` sees it through the gateway; resolves with its id.
 * The wait polls the answer service's internal API, not the gateway: polling as the member
 * would spend the member's per-minute request budget (`RATE_LIMIT_PER_MINUTE`) and leave
 * the test's own requests to a 429. If the question never opens, the error says what the
 * answer service last answered and carries the services' recent logs.
 */
export async function openQuestion(stack: TestStack, familyId: string, localDate: string, member: TestUser) {
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
  const answerService = internalApi(stack.url('answer'), stack.parts.internalApiToken);
  const currentQuestion = `/families/${familyId}/questions/current`;
  try {
    await eventually(
      async () => {
        const { status, body } = await answerService(member.uid, 'GET', currentQuestion);
        if (status !== 200) throw new Error(`the answer service answered ${status}: ${JSON.stringify(body)}`);
        if (body.localDate !== localDate) throw new Error(`the current question is of ${body.localDate}`);
        return true;
      },
      { timeoutMs: 20_000, message: `the question of ${localDate} opens` },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${stack.recentLogs()}`, { cause: error });
  }
  const response = await fetch(`${stack.url('gateway')}/v1${currentQuestion}`, {
    headers: { authorization: `Bearer ${member.idToken}` },
  });
  const body = (await response.json()) as { questionId?: string; localDate?: string };
  if (!response.ok || body.localDate !== localDate || !body.questionId) {
    throw new Error(`the gateway shows ${response.status} ${JSON.stringify(body)} for the question of ${localDate}`);
  }
  return body.questionId;
}
