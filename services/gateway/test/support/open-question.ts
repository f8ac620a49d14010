import { internalApi, publishQuestionDue, questionOpened, type TestStack, type TestUser } from '@haru/testing';

/**
 * Opens a family's question of `localDate` as the scheduler would (QuestionDue on the
 * topic) and waits until `member` sees it through the gateway; resolves with its id.
 * The wait polls the answer service's internal API, not the gateway: polling as the member
 * would spend the member's per-minute request budget (`RATE_LIMIT_PER_MINUTE`) and leave
 * the test's own requests to a 429. If the question never opens, the error carries the
 * services' recent logs.
 */
export async function openQuestion(stack: TestStack, familyId: string, localDate: string, member: TestUser) {
  await publishQuestionDue(stack.topic, familyId, localDate, `test-${localDate}`);
  try {
    await questionOpened(
      internalApi(stack.url('answer'), stack.parts.internalApiToken),
      member.uid,
      familyId,
      localDate,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${stack.recentLogs()}`, { cause: error });
  }
  const response = await fetch(`${stack.url('gateway')}/v1/families/${familyId}/questions/current`, {
    headers: { authorization: `Bearer ${member.idToken}` },
  });
  const body = (await response.json()) as { questionId?: string; localDate?: string };
  if (!response.ok || body.localDate !== localDate || !body.questionId) {
    throw new Error(`the gateway shows ${response.status} ${JSON.stringify(body)} for the question of ${localDate}`);
  }
  return body.questionId;
}
