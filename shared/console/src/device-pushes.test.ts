import assert from 'node:assert/strict';
import { it } from 'node:test';
import { devicePushes } from './device-pushes.ts';

const wire = (token: string, notificationId: string, title: string, kind = 'question') => ({
  token,
  notification: { title, body: `${title} body` },
  data: { kind, familyId: 'f1', questionId: 'q1', notificationId },
  android: { collapse_key: notificationId, notification: { tag: notificationId } },
  apns: { headers: { 'apns-collapse-id': notificationId } },
});

it('when a device got several pushes, then they are listed newest first with title, body, kind and collapse id', () => {
  const devices = devicePushes([
    { receivedAt: '2026-12-01T09:00:00.000Z', message: wire('phone', 'n1', "Today's question") },
    { receivedAt: '2026-12-01T12:00:00.000Z', message: wire('phone', 'n2', 'Everyone answered', 'complete') },
  ]);

  assert.deepEqual(
    devices.map((device) => ({
      token: device.token,
      pushes: device.pushes.map((push) => [push.title, push.kind, push.collapseId]),
    })),
    [
      {
        token: 'phone',
        pushes: [
          ['Everyone answered', 'complete', 'n2'],
          ["Today's question", 'question', 'n1'],
        ],
      },
    ],
  );
  assert.equal(devices[0]?.pushes[1]?.body, "Today's question body");
});

it('when a push is sent again with the same collapse id, then the phone shows it once, as the latest', () => {
  const devices = devicePushes([
    { receivedAt: '2026-12-01T09:00:00.000Z', message: wire('phone', 'n1', 'first') },
    { receivedAt: '2026-12-01T09:00:05.000Z', message: wire('phone', 'n1', 'again') },
  ]);

  assert.equal(devices[0]?.pushes.length, 1);
  assert.equal(devices[0]?.pushes[0]?.title, 'again');
});

it('when several devices got pushes, then the device with the newest push comes first', () => {
  const devices = devicePushes([
    { receivedAt: '2026-12-01T09:00:00.000Z', message: wire('old-phone', 'n1', 'a') },
    { receivedAt: '2026-12-01T10:00:00.000Z', message: wire('new-phone', 'n2', 'b') },
  ]);

  assert.deepEqual(
    devices.map((device) => device.token),
    ['new-phone', 'old-phone'],
  );
});
