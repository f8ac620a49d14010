// What a consumer expects of each event it receives, as Pact message templates: the
// envelope and the data its edge (`parseEvent`) requires, with matchers, so that a pact
// asserts shapes and formats, never the example values. Each consumer's pact test runs its
// real handler on the example; each producer's verification checks its real events.
import assert from 'node:assert/strict';
import { currentVersion, type DomainEvent, type EventType, parseEvent } from '@haru/contracts';
import type { ServiceName } from '@haru/dev-stack';
import { type ConsumerName, subscriptions } from '@haru/messaging';
import { MatchersV3 as M, type PactV4 } from '@pact-foundation/pact';
import { consumerPact } from './pact-files.ts';

/** Which service emits each event type (docs/events.md). */
export const producerOf = {
  FamilyCreated: 'answer',
  MemberJoined: 'answer',
  MemberLeft: 'answer',
  MemberPreferencesChanged: 'answer',
  ScheduleChanged: 'answer',
  QuestionDue: 'scheduler',
  QuestionOpened: 'answer',
  QuestionRescheduled: 'answer',
  AnswerSubmitted: 'answer',
  FamilyQuestionCompleted: 'projection',
  DueAndComplete: 'scheduler',
  ReminderDue: 'scheduler',
  NotificationSent: 'notifier',
  DeviceTokenInvalidated: 'notifier',
} as const satisfies Record<EventType, ServiceName>;

/** The event types a consumer's queue receives (the topology) that `provider` emits. */
export const eventsFrom = (provider: ServiceName, consumer: ConsumerName): EventType[] =>
  subscriptions[consumer].filter((type) => producerOf[type] === provider);

/** Example values; the matchers make the pacts independent of them. */
export const examples = {
  familyId: '0190b5a0-0000-7000-8000-00000000fa01',
  memberId: '0190b5a0-0000-7000-8000-00000000ae01',
  otherMemberId: '0190b5a0-0000-7000-8000-00000000ae02',
  questionId: '0190b5a0-0000-7000-8000-00000000be01',
  localDate: '2026-11-25',
} as const;

const pattern = {
  uuid: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
  instant: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$',
  localDate: '^\\d{4}-\\d{2}-\\d{2}$',
  localTime: '^([01]\\d|2[0-3]):[0-5]\\d$',
};
const uuid = (example: string) => M.regex(pattern.uuid, example);
const instant = (example: string) => M.regex(pattern.instant, example);
const localDate = M.regex(pattern.localDate, examples.localDate);
const localTime = (example: string) => M.regex(pattern.localTime, example);
const oneOf = (values: readonly string[], example: string) => M.regex(`^(${values.join('|')})$`, example);

const schedule = {
  timezone: M.like('Asia/Seoul'),
  pushTime: localTime('20:00'),
  // Null means "no quiet hours"; the example is the default, the shape consumers must read.
  quietHours: { start: localTime('22:00'), end: localTime('08:00') },
  // The scheduler times each question's reminder by it.
  reminderOffsetMinutes: M.integer(180),
};

type ConsumedType = (typeof subscriptions)[ConsumerName][number];

const openedQuestion = (openedAt: string) => ({
  questionId: uuid(examples.questionId),
  localDate,
  text: {
    ko: M.like('오늘 가장 웃겼던 순간은 언제였나요?'),
    en: M.like('What was the funniest moment of your day?'),
  },
  openedAt: instant(openedAt),
  requiredMemberIds: M.eachLike(uuid(examples.memberId)),
});

const dataTemplates: Record<ConsumedType, unknown> = {
  FamilyCreated: { name: M.like('Parks'), ...schedule },
  MemberJoined: {
    memberId: uuid(examples.memberId),
    uid: M.like('firebase-uid-1'),
    role: oneOf(['parent', 'child'], 'parent'),
    displayName: M.like('Dad'),
    locale: oneOf(['ko', 'en'], 'ko'),
  },
  MemberLeft: { memberId: uuid(examples.memberId) },
  MemberPreferencesChanged: {
    memberId: uuid(examples.memberId),
    locale: oneOf(['ko', 'en'], 'en'),
    // Each element one of the kinds a member may mute; the example mutes reminders.
    mutedKinds: M.eachLike(oneOf(['reminder', 'complete'], 'reminder')),
  },
  ScheduleChanged: schedule,
  QuestionDue: { localDate, dueAt: instant('2026-11-25T11:00:00.000Z') },
  QuestionOpened: openedQuestion('2026-11-25T11:00:01.000Z'),
  AnswerSubmitted: {
    questionId: uuid(examples.questionId),
    memberId: uuid(examples.memberId),
    answeredAt: instant('2026-11-25T11:30:00.000Z'),
  },
  FamilyQuestionCompleted: { questionId: uuid(examples.questionId), completedAt: instant('2026-11-25T11:30:00.000Z') },
  DueAndComplete: { questionId: uuid(examples.questionId), dueAt: instant('2026-11-25T11:30:00.000Z') },
  ReminderDue: {
    questionId: uuid(examples.questionId),
    memberIds: M.eachLike(uuid(examples.otherMemberId)),
    dueAt: instant('2026-11-25T14:00:01.000Z'),
  },
  // Last, so that the example event ids of the types before it stay what the pacts say.
  QuestionRescheduled: openedQuestion('2026-11-25T12:00:00.000Z'),
};

/** Distinct ids per type: inboxes deduplicate by event id, so examples must not share one. */
const exampleEventId = (type: ConsumedType): string =>
  `0190b5a0-0000-7000-8000-${(Object.keys(dataTemplates).indexOf(type) + 1).toString(16).padStart(12, '0')}`;

/** Events a tick starts have no cause (null); every other event names its cause. */
const startsAChain: readonly EventType[] = ['QuestionDue'];

/** The whole message a consumer expects for an event type: envelope and data. */
export function eventTemplate(type: ConsumedType) {
  return {
    id: uuid(exampleEventId(type)),
    type,
    // Exact: a consumer handles the versions it knows (older ones are upcast at its edge).
    version: currentVersion(type),
    occurredAt: instant('2026-11-25T11:00:00.000Z'),
    familyId: uuid(examples.familyId),
    correlationId: M.like('0190b5a0-0000-7000-8000-00000000c001'),
    causationId: startsAChain.includes(type) ? M.nullValue() : M.like('0190b5a0-0000-7000-8000-00000000c001'),
    data: dataTemplates[type],
  };
}

export const eventDescription = (type: EventType): string => `a ${type} event`;

/**
 * Declares that the consumer receives events of `type`, carried with the SNS message
 * attribute `type` that the subscription filters route on. A pending interaction is one
 * the provider does not emit yet: its failed verification is reported, not fatal.
 */
export function expectEvent(pact: PactV4, type: ConsumedType, { pending = false }: { pending?: boolean } = {}) {
  const interaction = pact.addAsynchronousInteraction();
  return (pending ? interaction.pending(true) : interaction).expectsToReceive(eventDescription(type), (message) =>
    message.withJSONContent(eventTemplate(type)).withMetadata({ type }),
  );
}

/** A message as Pact hands it to a consumer's test (its example, reified). */
export interface PactMessage {
  contents: { content?: unknown };
  metadata: Record<string, unknown>;
}

/** The consumer's edge, as its queue consumer runs it: the example must pass it. */
export function acceptAtEdge(message: PactMessage): DomainEvent {
  const parsed = parseEvent(message.contents.content);
  if (!parsed.ok) throw new Error(`the consumer's edge rejects the pact's message: ${parsed.reason}`);
  if (message.metadata.type !== parsed.event.type) throw new Error('the type attribute does not match the event');
  return parsed.event;
}

export interface EventPact {
  /** The pact itself, for HTTP interactions between the same two services. */
  pact: PactV4;
  /** Declares an event the consumer receives from the provider (see `expectEvent`). */
  expect(type: ConsumedType, options?: { pending?: boolean }): ReturnType<typeof expectEvent>;
  /**
   * Checks that the interactions cover every event type the topology routes from the
   * provider to the consumer, and that the pact equals the committed one. Run it last.
   */
  coversTopologyAndMatchesCommittedPact(): Promise<void>;
}

/** A consumer's message pact with one provider, as the consumer's tests define it. */
export function eventPact(consumer: ConsumerName, provider: ServiceName): EventPact {
  const { pact, matchesCommittedPact } = consumerPact(consumer, provider);
  const covered = new Set<EventType>();
  return {
    pact,
    expect(type, options) {
      covered.add(type);
      return expectEvent(pact, type, options);
    },
    async coversTopologyAndMatchesCommittedPact() {
      assert.deepEqual(
        [...covered].sort(),
        eventsFrom(provider, consumer).sort(),
        `the ${consumer} queue receives these events from ${provider} (topology.ts): each needs an interaction`,
      );
      await matchesCommittedPact();
    },
  };
}
