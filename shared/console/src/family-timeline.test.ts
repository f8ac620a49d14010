import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FamilyRecord } from './console-reads.ts';
import { explainFamily, familyTimeline } from './family-timeline.ts';

const now = new Date('2026-12-01T12:00:00.000Z');
const at = (time: string) => new Date(`2026-12-01T${time}.000Z`);
const family = (overrides: Partial<FamilyRecord> = {}): FamilyRecord => ({
  familyId: '01900000-0000-7000-8000-000000000001',
  schedule: {
    familyId: '01900000-0000-7000-8000-000000000001',
    timezone: 'Asia/Seoul',
    pushTime: '18:00',
    quietHours: null,
    reminderOffsetMinutes: 180,
    nextQuestionAt: new Date('2026-12-02T09:00:00.000Z'),
    firedThrough: '2026-12-01',
    pending: [],
  },
  events: [{ type: 'FamilyCreated', occurredAt: at('08:00:00'), correlationId: 'c1' }],
  fired: [],
  notifications: [],
  devices: [{ memberId: 'm1', token: 'phone', platform: 'android', active: true }],
  ...overrides,
});
const firedQuestion = {
  kind: 'question',
  subject: '2026-12-01',
  dueAt: at('09:00:00'),
  firedAt: at('09:00:00'),
  skipReason: null,
};
const opened = { type: 'QuestionOpened', occurredAt: at('09:00:01'), correlationId: 'c2' };

describe('explainFamily', () => {
  it('when the scheduler does not know the family, then it says its FamilyCreated was not handled', () => {
    assert.match(explainFamily(family({ schedule: undefined }), now)[0] ?? '', /FamilyCreated was not handled/);
  });

  it('when no question came due today, then it says when the next is due', () => {
    assert.match(
      explainFamily(family(), now)[0] ?? '',
      /no question came due .* next question is due at 2026-12-02T09:00:00.000Z \(18:00 Asia\/Seoul\)/,
    );
  });

  it('when the question fired but never opened, then it points at the answer service', () => {
    assert.match(explainFamily(family({ fired: [firedQuestion] }), now)[0] ?? '', /answer service has not opened it/);
  });

  it('when the question opened but nobody has a device, then it says so', () => {
    const record = family({ fired: [firedQuestion], events: [opened], devices: [] });

    assert.match(explainFamily(record, now)[0] ?? '', /no member of the family has a registered device/);
  });

  it('when a delivery failed, then it names the device and FCM code', () => {
    const record = family({
      fired: [firedQuestion],
      events: [opened],
      notifications: [
        {
          notificationId: 'n1',
          familyId: 'f',
          questionId: 'q',
          kind: 'question',
          createdAt: at('09:00:02'),
          deliveries: [
            {
              token: 'phone',
              memberId: 'm1',
              status: 'sent',
              errorCode: null,
              errorMessage: null,
              attempts: 1,
              updatedAt: at('09:00:03'),
            },
            {
              token: 'old-tablet',
              memberId: 'm2',
              status: 'invalid',
              errorCode: 'messaging/registration-token-not-registered',
              errorMessage: null,
              attempts: 1,
              updatedAt: at('09:00:03'),
            },
          ],
        },
      ],
    });

    assert.deepEqual(explainFamily(record, now), [
      "today's question (notification n1) reached FCM for 1 of 2 devices",
      '  old-tablet: invalid (FCM messaging/registration-token-not-registered)',
    ]);
    assert.deepEqual(
      familyTimeline(record).map((entry) => `${entry.source} ${entry.what}`),
      [
        'scheduler question fired',
        'answer QuestionOpened',
        'notifier question notification',
        'notifier delivery sent',
        'notifier delivery invalid',
      ],
    );
  });
});
