import { z } from 'zod';

// What the app gets back about the caller's own account (see family-schemas.ts).

const id = z.uuid();
const instant = z.iso.datetime({ offset: true });
const role = z.enum(['parent', 'child']);
const locale = z.enum(['ko', 'en']);

export const account = z
  .strictObject({
    uid: z.string().meta({ description: "the caller's Firebase uid" }),
    families: z
      .array(
        z
          .strictObject({
            familyId: id,
            name: z.string(),
            memberId: id.meta({ description: 'the caller, as a member of the family' }),
            role,
            displayName: z.string().meta({ description: "the caller's name in the family" }),
          })
          .meta({ id: 'AccountFamily' }),
      )
      .meta({ description: 'the families the caller is a member of, in the order they joined them' }),
  })
  .meta({ id: 'Account', description: "the caller's account and the families it belongs to" });

const exportedAnswer = z
  .strictObject({
    questionId: id,
    localDate: z.iso.date().nullable(),
    question: z.strictObject({ ko: z.string(), en: z.string() }).nullable().meta({ description: 'the question asked' }),
    text: z.string(),
    answeredAt: instant,
  })
  .meta({ id: 'ExportedAnswer' });

const exportedFamily = z
  .strictObject({
    familyId: id,
    name: z.string(),
    timezone: z.string(),
    pushTime: z.string(),
    quietHours: z.strictObject({ start: z.string(), end: z.string() }).nullable(),
    reminderOffsetMinutes: z.number().int(),
    membership: z.strictObject({
      memberId: id,
      role,
      displayName: z.string(),
      locale,
      mutedKinds: z.array(z.enum(['reminder', 'complete'])),
      active: z.boolean().meta({ description: 'false once the caller left the family' }),
    }),
    answers: z.array(exportedAnswer).meta({ description: 'every answer the caller gave in the family, oldest first' }),
  })
  .meta({ id: 'ExportedFamily' });

const exportedDevice = z
  .strictObject({
    token: z.string(),
    platform: z.enum(['android', 'ios', 'web']),
    active: z.boolean(),
    lastSeenAt: instant,
  })
  .meta({ id: 'ExportedDevice' });

const exportedDelivery = z
  .strictObject({
    familyId: id,
    memberId: id,
    notificationId: id,
    kind: z.enum(['question', 'complete', 'reminder']),
    questionId: id,
    dueAt: instant,
    token: z.string(),
    status: z.enum(['pending', 'sent', 'failed', 'invalid']),
    errorCode: z.string().nullable(),
    attempts: z.number().int(),
    updatedAt: instant,
  })
  .meta({ id: 'ExportedDelivery' });

export const accountExport = z
  .strictObject({
    uid: z.string().meta({ description: "the caller's Firebase uid" }),
    exportedAt: instant,
    families: z.array(exportedFamily),
    devices: z.array(exportedDevice),
    deliveries: z.array(exportedDelivery).meta({ description: 'each push to each of the caller’s devices' }),
  })
  .meta({ id: 'AccountExport', description: 'everything haru holds about the caller' });

export const examples = {
  account: {
    uid: 'p2VbQy1nUeTq7RkXw3ZsA9dLm4H2',
    families: [
      {
        familyId: '019ad8a8-5a10-7c01-9f00-0a1b2c3d4e5f',
        name: 'Kims',
        memberId: '019ad8a8-6b30-7d02-8a11-0b2c3d4e5f60',
        role: 'parent',
        displayName: 'Mom',
      },
    ],
  } satisfies z.input<typeof account>,
  accountExport: {
    uid: 'p2VbQy1nUeTq7RkXw3ZsA9dLm4H2',
    exportedAt: '2026-12-08T09:00:00.000Z',
    families: [
      {
        familyId: '019ad8a8-5a10-7c01-9f00-0a1b2c3d4e5f',
        name: 'Kims',
        timezone: 'Asia/Seoul',
        pushTime: '21:00',
        quietHours: { start: '22:00', end: '08:00' },
        reminderOffsetMinutes: 180,
        membership: {
          memberId: '019ad8a8-6b30-7d02-8a11-0b2c3d4e5f60',
          role: 'parent',
          displayName: 'Mom',
          locale: 'ko',
          mutedKinds: [],
          active: true,
        },
        answers: [
          {
            questionId: '019ad8b1-0c3e-7a12-8f4d-5e6a7b8c9d0e',
            localDate: '2026-12-03',
            question: { ko: '오늘 가장 좋았던 순간은?', en: 'What was the best moment of your day?' },
            text: 'Dinner together',
            answeredAt: '2026-12-03T12:03:10.000Z',
          },
        ],
      },
    ],
    devices: [
      { token: 'fcm-token-of-the-device', platform: 'android', active: true, lastSeenAt: '2026-12-01T08:00:00.000Z' },
    ],
    deliveries: [
      {
        familyId: '019ad8a8-5a10-7c01-9f00-0a1b2c3d4e5f',
        memberId: '019ad8a8-6b30-7d02-8a11-0b2c3d4e5f60',
        notificationId: '019ad8b1-0d00-7b33-8c44-6f7a8b9c0d1e',
        kind: 'question',
        questionId: '019ad8b1-0c3e-7a12-8f4d-5e6a7b8c9d0e',
        dueAt: '2026-12-03T12:00:00.000Z',
        token: 'fcm-token-of-the-device',
        status: 'sent',
        errorCode: null,
        attempts: 1,
        updatedAt: '2026-12-03T12:00:00.150Z',
      },
    ],
  } satisfies z.input<typeof accountExport>,
};
