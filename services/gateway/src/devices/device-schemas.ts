import { deviceInputSchema } from '@haru/contracts';
import { z } from 'zod';

// What the app sends and gets back about devices and pushes (see family-schemas.ts).

export const deviceInput = deviceInputSchema.meta({ id: 'DeviceInput' });

/** FCM registration tokens are opaque, but never empty or huge. */
export const devicePath = z.object({
  token: z
    .string()
    .regex(/^[A-Za-z0-9_:.-]{1,4096}$/, 'not a device registration token')
    .meta({ description: "the device's FCM registration token", example: 'fcm-token-of-the-device' }),
});

const id = z.uuid();

export const notificationLog = z
  .strictObject({
    items: z.array(
      z
        .strictObject({
          notificationId: id.meta({ description: "the push's id: also its collapse key and Android tag" }),
          kind: z.enum(['question', 'complete', 'reminder']),
          questionId: id,
          createdAt: z.iso.datetime({ offset: true }).meta({
            description:
              'when the push was prepared, minutes before it was due (more when many families share its minute)',
          }),
          dueAt: z.iso.datetime({ offset: true }).meta({
            description:
              'when the push was due to go: the family\'s instant for today\'s question, its own time for a reminder, the last answer for "everyone answered"; or the end of quiet hours, for a push that fell due within them',
          }),
          deliveries: z.array(
            z
              .strictObject({
                memberId: id,
                status: z
                  .enum(['pending', 'sent', 'failed', 'invalid'])
                  .meta({ description: 'sent if any of the member’s devices got it' }),
              })
              .meta({ id: 'Delivery' }),
          ),
        })
        .meta({ id: 'Notification' }),
    ),
  })
  .meta({
    id: 'NotificationLog',
    description:
      "the family's newest pushes (at most 50), newest first; a push prepared ahead appears at its instant, as its question does",
  });

export const examples = {
  deviceInput: { platform: 'android' } satisfies z.input<typeof deviceInput>,
  notificationLog: {
    items: [
      {
        notificationId: '019ad8b1-0d00-7b33-8c44-6f7a8b9c0d1e',
        kind: 'question',
        questionId: '019ad8b1-0c3e-7a12-8f4d-5e6a7b8c9d0e',
        createdAt: '2026-12-03T11:55:00.120Z',
        dueAt: '2026-12-03T12:00:00.000Z',
        deliveries: [
          { memberId: '019ad8a8-6b30-7d02-8a11-0b2c3d4e5f60', status: 'sent' },
          { memberId: '019ad8a9-1f00-7e55-9b22-1c2d3e4f5a6b', status: 'pending' },
        ],
      },
    ],
  } satisfies z.input<typeof notificationLog>,
};
