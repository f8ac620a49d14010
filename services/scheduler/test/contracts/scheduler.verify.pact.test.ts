import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { createEvent, type EventType } from '@haru/contracts';
import { serviceTokenHeader } from '@haru/http';
import { eventually } from '@haru/testing';
import { type DeliveredEvent, messageProviders, tapQueue } from '../../../../contracts/support/event-producers.ts';
import { verifyPact } from '../../../../contracts/support/pact-files.ts';
import { startTestScheduler, type TestScheduler } from '../support/start-test-scheduler.ts';

// The scheduler verifies what its consumers expect of it (contracts/*-scheduler.json): the
// answer service's QuestionDue and the notifier's DueAndComplete and ReminderDue, produced
// by the running scheduler (its consumer, due-index and tick) from events published to the
// topic as their producers would, and taken from the consuming service's queue. Its clock
// is the test's: a push time comes when the test moves the clock, not an hour later. The
// projection runs beside it on the same topic, and learns who answered from the same events.
let environment: TestScheduler['environment'];
let service: TestScheduler['service'];
let publish: TestScheduler['publish'];
let stop: TestScheduler['stop'];
let clock = new Date('2026-06-01T00:00:00Z');
const minutes = (count: number) => count * 60_000;
const advanceClock = (by: number) => {
  clock = new Date(clock.getTime() + by);
};

before(async () => {
  // The projection beside it: a due reminder asks it whom the question still awaits.
  ({ environment, service, publish, stop } = await startTestScheduler({
    now: () => clock,
    settings: { SCHEDULER_TICK_MS: '20' },
    alongside: ['projection'],
  }));
});
after(() => stop?.());

const context = () => ({ occurredAt: clock, correlationId: randomUUID(), causationId: randomUUID() });

/** A family in UTC without quiet hours, as the scheduler has recorded it; resolves with its next push. */
async function aFamily(): Promise<{ familyId: string; nextQuestionDueAt: Date }> {
  const familyId = randomUUID();
  const pushTime = new Date(clock.getTime() + minutes(60)).toISOString().slice(11, 16);
  await publish(
    createEvent(
      'FamilyCreated',
      familyId,
      { name: 'Kims', timezone: 'UTC', pushTime, quietHours: null, reminderOffsetMinutes: 180 },
      context(),
    ),
  );
  const schedule = await eventually(
    async () => {
      const response = await fetch(`${service.url}/internal/families/${familyId}/schedule`, {
        headers: { [serviceTokenHeader]: environment.internalApiToken },
      });
      return response.ok ? ((await response.json()) as { nextQuestionDueAt: string }) : undefined;
    },
    { timeoutMs: 30_000, message: 'the family’s schedule' },
  );
  return { familyId, nextQuestionDueAt: new Date(schedule.nextQuestionDueAt) };
}

/** The family's question opens now for these members (as the answer service announces it). */
async function questionOpened(familyId: string, requiredMemberIds: string[]) {
  const questionId = randomUUID();
  const openedAt = clock.toISOString();
  const text = { ko: '질문', en: 'Question' };
  await publish(
    createEvent(
      'QuestionOpened',
      familyId,
      { questionId, localDate: '2026-06-01', text, openedAt, requiredMemberIds },
      context(),
    ),
  );
  return questionId;
}

/** Waits until the projection awaits exactly these members for the question. */
const projectionAwaits = (familyId: string, questionId: string, memberIds: string[]) =>
  eventually(
    async () => {
      const response = await fetch(`${environment.env.PROJECTION_URL}/internal/questions/awaited-members`, {
        method: 'POST',
        headers: { [serviceTokenHeader]: environment.internalApiToken, 'content-type': 'application/json' },
        body: JSON.stringify({ questions: [{ familyId, questionId }] }),
      });
      const { questions } = (await response.json()) as { questions: Array<{ awaitedMemberIds: string[] }> };
      return isDeepStrictEqual(questions[0]?.awaitedMemberIds, memberIds);
    },
    { timeoutMs: 30_000, message: 'the answer reaching the projection' },
  );

function producers(consumer: 'answer' | 'notifier'): { [Type in EventType]?: () => Promise<DeliveredEvent> } {
  const queue = tapQueue(environment.clients.sqs, environment.topology.queues[consumer].queueUrl);
  return {
    QuestionDue: async () => {
      const { familyId, nextQuestionDueAt } = await aFamily();
      clock = new Date(nextQuestionDueAt.getTime() + 1000);
      return queue.take('QuestionDue', familyId);
    },
    DueAndComplete: async () => {
      const { familyId } = await aFamily();
      const member = randomUUID();
      const questionId = await questionOpened(familyId, [member]);
      await publish(
        createEvent('FamilyQuestionCompleted', familyId, { questionId, completedAt: clock.toISOString() }, context()),
      );
      advanceClock(minutes(1));
      return queue.take('DueAndComplete', familyId);
    },
    ReminderDue: async () => {
      const { familyId } = await aFamily();
      const [answered, notYet] = [randomUUID(), randomUUID()];
      const questionId = await questionOpened(familyId, [answered, notYet]);
      await publish(
        createEvent(
          'AnswerSubmitted',
          familyId,
          { questionId, memberId: answered, answeredAt: clock.toISOString() },
          context(),
        ),
      );
      // The projection has the answer before the reminder comes due, at the reminder offset
      // (3 hours by default) after opening.
      await projectionAwaits(familyId, questionId, [notYet]);
      advanceClock(minutes(3 * 60 + 1));
      return queue.take('ReminderDue', familyId);
    },
  };
}

describe('the scheduler as a provider', () => {
  it('when the answer service’s pact is verified against the events the scheduler emits, then every interaction passes', () =>
    verifyPact('answer', 'scheduler', { messageProviders: messageProviders(producers('answer')) }));

  it('when the notifier’s pact is verified against the events the scheduler emits, then every interaction passes', () =>
    verifyPact('notifier', 'scheduler', { messageProviders: messageProviders(producers('notifier')) }));
});
