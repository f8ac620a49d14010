import type { ReceivedFcmMessage, RejectedFcmMessage } from '@haru/dev-stack';

// The test FCM endpoint is shared by every test file of a run: filter by the device tokens
// a test made up rather than clearing, which would remove other files' messages too.

const endpoint = (url: string | undefined) => {
  if (!url) throw new Error('HARU_TEST_FCM_URL is not set: run tests with the global setup');
  return url;
};

/** The messages the FCM endpoint accepted, oldest first, as sent. */
export async function fcmMessages(url = process.env.HARU_TEST_FCM_URL): Promise<ReceivedFcmMessage[]> {
  const response = await fetch(`${endpoint(url)}/messages`);
  if (!response.ok) throw new Error(`GET ${url}/messages answered ${response.status}`);
  return ((await response.json()) as { messages: ReceivedFcmMessage[] }).messages;
}

/** The sends the FCM endpoint refused (injected faults), oldest first. */
export async function fcmRejections(url = process.env.HARU_TEST_FCM_URL): Promise<RejectedFcmMessage[]> {
  const response = await fetch(`${endpoint(url)}/rejections`);
  if (!response.ok) throw new Error(`GET ${url}/rejections answered ${response.status}`);
  return ((await response.json()) as { rejections: RejectedFcmMessage[] }).rejections;
}

/** Forgets every message, rejection and flaky token the endpoint has seen. */
export async function clearFcmMessages(url = process.env.HARU_TEST_FCM_URL): Promise<void> {
  const response = await fetch(`${endpoint(url)}/messages`, { method: 'DELETE' });
  if (!response.ok) throw new Error(`DELETE ${url}/messages answered ${response.status}`);
}
