import { PublishBatchCommand } from '@aws-sdk/client-sns';
import { createEvent, newEventId } from '@haru/contracts';
import { createAwsClients } from '@haru/messaging';
import { signInTestUser, type TestUser } from '@haru/testing';
import type { BenchStack } from './bench-stack.ts';
import { mapConcurrently } from './concurrently.ts';

export interface Member {
  uid: string;
  /** Valid for an hour; `refreshIdToken` with `refreshToken` gives a new one. */
  idToken: string;
  refreshToken: string;
  memberId: string;
  /** A device token registered for the member, when asked for. */
  device?: string;
}

export interface Family {
  familyId: string;
  members: Member[];
}

export class AppCallError extends Error {
  override name = 'AppCallError';
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.status = status;
  }
}

/**
 * Calls the app API (the gateway) as a signed-in user; throws unless it answers `expected`,
 * or once `signal` aborts (a deadline, `AbortSignal.timeout`).
 */
export async function callApp<T>(
  gateway: string,
  idToken: string,
  method: string,
  path: string,
  body: unknown,
  expected: number[],
  { headers = {}, signal }: { headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<T> {
  const response = await fetch(`${gateway}${path}`, {
    method,
    headers: {
      ...headers,
      authorization: `Bearer ${idToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ...(signal ? { signal } : {}),
  });
  const text = await response.text();
  if (!expected.includes(response.status)) {
    throw new AppCallError(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`, response.status);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

/**
 * Families made as the app makes them: users signed up in the Auth emulator, the first
 * member creates the family through the gateway, the others join with its invite code,
 * and each registers a device if asked. No quiet hours, so that the "everyone answered"
 * push is never deferred, and a push time twelve hours away, so that the scheduler does
 * not open questions of its own during a benchmark (they are opened with `openQuestions`).
 */
export async function createFamilies({
  stack,
  gateway,
  families,
  membersPerFamily,
  devices = false,
  concurrency = 16,
}: {
  stack: BenchStack;
  gateway: string;
  families: number;
  membersPerFamily: number;
  devices?: boolean;
  concurrency?: number;
}): Promise<Family[]> {
  const emulator = stack.authEmulatorHost;
  if (!emulator) throw new Error('families need the Auth emulator');
  const pushTime = new Date(Date.now() + 12 * 3600_000).toISOString().slice(11, 16);
  // A user whose every call answers 401 is replaced by a new one (see `rejectedByEmulatorRace`).
  const asNewUser = async <T>(call: (user: TestUser) => Promise<T>): Promise<{ user: TestUser; result: T }> => {
    for (let attempt = 1; ; attempt++) {
      const user = await withRetries(() => signInTestUser(emulator));
      try {
        return { user, result: await call(user) };
      } catch (error) {
        if (!rejectedByEmulatorRace(error) || attempt >= 3) throw error;
      }
    }
  };
  return mapConcurrently(Array.from({ length: families }), concurrency, async (_, index) => {
    const { user: founder, result: created } = await asNewUser((user) =>
      callApp<{ familyId: string; inviteCode: string; memberId: string }>(
        gateway,
        user.idToken,
        'POST',
        '/v1/families',
        {
          name: `Bench ${index}`,
          timezone: 'UTC',
          pushTime,
          quietHours: null,
          member: { role: 'parent', displayName: 'Parent', locale: 'en' },
        },
        [201],
      ),
    );
    const members: Member[] = [
      { uid: founder.uid, idToken: founder.idToken, refreshToken: founder.refreshToken, memberId: created.memberId },
    ];
    for (let position = 1; position < membersPerFamily; position++) {
      const { user, result: joined } = await asNewUser((candidate) =>
        callApp<{ memberId: string }>(
          gateway,
          candidate.idToken,
          'POST',
          '/v1/families/join',
          {
            inviteCode: created.inviteCode,
            member: { role: 'child', displayName: `Child ${position}`, locale: 'en' },
          },
          [201],
        ),
      );
      members.push({
        uid: user.uid,
        idToken: user.idToken,
        refreshToken: user.refreshToken,
        memberId: joined.memberId,
      });
    }
    if (devices) {
      for (const member of members) {
        member.device = `bench-${member.memberId}`;
        await callApp(
          gateway,
          member.idToken,
          'PUT',
          `/v1/me/devices/${member.device}`,
          { platform: 'android' },
          [204],
        );
      }
    }
    return { familyId: created.familyId, members };
  });
}

/**
 * The Auth emulator's sign-up takes the token's auth_time before the password hash and the
 * user's validSince after it, both in whole seconds: when a second boundary falls between,
 * firebase-admin (which in emulator mode checks revocation on every verification) finds the
 * token issued before validSince and rejects it, for good. About one sign-up in a few
 * hundred on a busy machine; such a user is replaced.
 */
const rejectedByEmulatorRace = (error: unknown): boolean => error instanceof AppCallError && error.status === 401;

/** The emulator sometimes drops a sign-up when the machine is busy; a second try succeeds. */
async function withRetries<T>(attempt: () => Promise<T>, attempts = 3): Promise<T> {
  for (let tried = 1; ; tried++) {
    try {
      return await attempt();
    } catch (error) {
      if (tried >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * tried));
    }
  }
}

/**
 * Opens a question of `localDate` in each family as the scheduler would: a QuestionDue
 * on the topic, which the answer service turns into QuestionOpened.
 */
export async function openQuestions(stack: BenchStack, familyIds: readonly string[], localDate: string) {
  const { sns, sqs } = createAwsClients({ AWS_REGION: stack.awsRegion, AWS_ENDPOINT_URL: stack.awsEndpointUrl });
  try {
    const now = new Date();
    const events = familyIds.map((familyId) =>
      createEvent(
        'QuestionDue',
        familyId,
        { localDate, dueAt: now.toISOString() },
        { occurredAt: now, correlationId: newEventId(), causationId: null },
      ),
    );
    for (let start = 0; start < events.length; start += 10) {
      const chunk = events.slice(start, start + 10);
      const result = await sns.send(
        new PublishBatchCommand({
          TopicArn: stack.topicArn,
          PublishBatchRequestEntries: chunk.map((event, index) => ({
            Id: String(index),
            Message: JSON.stringify(event),
            MessageAttributes: { type: { DataType: 'String', StringValue: event.type } },
          })),
        }),
      );
      if (result.Failed?.length) throw new Error(`publishing QuestionDue failed: ${JSON.stringify(result.Failed)}`);
    }
  } finally {
    sns.destroy();
    sqs.destroy();
  }
}

/** The local date `days` after 2030-01-01, so that each round's question is newer than the last. */
export const benchDate = (days: number): string =>
  new Date(Date.UTC(2030, 0, 1) + days * 86_400_000).toISOString().slice(0, 10);
