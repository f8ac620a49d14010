// The checker of the fault-injection day, Jepsen-style: given which devices belong to which
// family and every push the FCM endpoint accepted, it says what was lost, what came twice
// and what should never have come. Pure: no I/O, so it is tested on its own.

/** A device every family member registered: it must get today's question and the complete push. */
export interface ExpectedDevice {
  token: string;
  familyId: string;
}

/** A push the FCM endpoint accepted, reduced to what the verdict needs. */
export interface AcceptedPush {
  token: string;
  kind: string;
  familyId: string;
  questionId: string;
  notificationId: string;
  /** When the endpoint accepted it (ms since the epoch). */
  receivedAt: number;
}

/** A moment at which a send in flight could not be recorded: the notifier killed, PostgreSQL restarted. */
export interface Interruption {
  at: number;
  what: string;
}

export interface LostPush {
  token: string;
  familyId: string;
  kind: string;
}

export interface DuplicatePush {
  first: AcceptedPush;
  again: AcceptedPush;
}

export interface DayVerdict {
  /** Expected (device, kind) pairs that no accepted push covers. */
  lost: LostPush[];
  /** A (notification, token) accepted again with no interruption to explain it. */
  duplicate: DuplicatePush[];
  /**
   * A (notification, token) accepted again after the notifier was killed (or its database
   * restarted) while the first send was in flight, before its result was recorded: FCM has
   * no idempotency key, so such a send is resent; the collapse key makes the device show it once.
   */
  inDoubtResent: DuplicatePush[];
  /** Pushes to unknown tokens, of other kinds, of another family, or a second notification of a kind. */
  unexpected: AcceptedPush[];
}

export const expectedKinds = ['question', 'complete'] as const;

/**
 * How long after a send was accepted an interruption still leaves it unrecorded: the
 * notifier records a batch's results right after its `sendEach`, and a batch may wait its
 * turn in the FCM budget first; the margin is generous.
 */
export const inDoubtWindowMs = 30_000;

export function dayVerdict(
  expected: readonly ExpectedDevice[],
  accepted: readonly AcceptedPush[],
  interruptions: readonly Interruption[],
): DayVerdict {
  const familyOf = new Map(expected.map((device) => [device.token, device.familyId]));
  const unexpected: AcceptedPush[] = [];
  const firstByNotification = new Map<string, AcceptedPush>();
  const duplicate: DuplicatePush[] = [];
  const inDoubtResent: DuplicatePush[] = [];
  // The one notification of each kind a device may get, and the question the family was asked.
  const notificationOf = new Map<string, string>();
  const questionOf = new Map<string, string>();

  for (const push of [...accepted].sort((a, b) => a.receivedAt - b.receivedAt)) {
    const familyId = familyOf.get(push.token);
    const isExpectedKind = (expectedKinds as readonly string[]).includes(push.kind);
    if (familyId === undefined || familyId !== push.familyId || !isExpectedKind) {
      unexpected.push(push);
      continue;
    }
    const question = questionOf.get(familyId) ?? push.questionId;
    questionOf.set(familyId, question);
    const slot = `${push.token} ${push.kind}`;
    const notification = notificationOf.get(slot) ?? push.notificationId;
    if (push.questionId !== question || push.notificationId !== notification) {
      unexpected.push(push);
      continue;
    }
    notificationOf.set(slot, notification);
    const key = `${push.notificationId} ${push.token}`;
    const first = firstByNotification.get(key);
    if (!first) {
      firstByNotification.set(key, push);
      continue;
    }
    const explained = interruptions.some(
      ({ at }) => at >= first.receivedAt && at <= push.receivedAt && at - first.receivedAt <= inDoubtWindowMs,
    );
    (explained ? inDoubtResent : duplicate).push({ first, again: push });
  }

  const lost: LostPush[] = expected.flatMap(({ token, familyId }) =>
    expectedKinds.filter((kind) => !notificationOf.has(`${token} ${kind}`)).map((kind) => ({ token, familyId, kind })),
  );
  return { lost, duplicate, inDoubtResent, unexpected };
}
