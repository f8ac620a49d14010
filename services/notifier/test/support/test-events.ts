import { randomUUID } from 'node:crypto';
import { createEvent, type EventOf, type EventType } from '@haru/contracts';

/** An event as another service would have published it, with a fresh id and correlation. */
export const testEvent = <Type extends EventType>(
  type: Type,
  familyId: string,
  data: EventOf<Type>['data'],
): EventOf<Type> =>
  createEvent(type, familyId, data, { occurredAt: new Date(), correlationId: randomUUID(), causationId: null });

/** A device token the shared FCM endpoint has never seen; the prefix picks its fault. */
export const testToken = (prefix: 'tok' | 'unregistered' | 'invalid' | 'flaky' = 'tok'): string =>
  `${prefix}-${randomUUID()}`;

export const questionText = { ko: '오늘 가장 웃겼던 일은?', en: 'What made you laugh today?' };

export const questionOpened = (familyId: string, questionId: string = randomUUID()) =>
  testEvent('QuestionOpened', familyId, {
    questionId,
    localDate: '2026-11-25',
    text: questionText,
    openedAt: new Date().toISOString(),
    requiredMemberIds: [],
  });
