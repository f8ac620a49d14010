import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pushMessage } from './push-message.ts';

describe('pushMessage', () => {
  it('when built, then the notification id tags, collapses and is carried in the data, on every platform', () => {
    const message = pushMessage({
      token: 'tok-1',
      notificationId: 'n-1',
      kind: 'question',
      familyId: 'f-1',
      questionId: 'q-1',
      content: { title: 't', body: 'b' },
    });
    assert.deepEqual(message, {
      token: 'tok-1',
      notification: { title: 't', body: 'b' },
      data: { kind: 'question', familyId: 'f-1', questionId: 'q-1', notificationId: 'n-1' },
      android: { collapseKey: 'n-1', notification: { tag: 'n-1' } },
      apns: { headers: { 'apns-collapse-id': 'n-1' } },
      webpush: { notification: { tag: 'n-1' } },
    });
  });

  it("when a web app's link and icon are set, then only the web block carries them, the link naming this push", () => {
    const push = {
      token: 'tok-1',
      notificationId: 'n-1',
      kind: 'reminder',
      familyId: 'f 1',
      questionId: 'q-1',
      content: { title: 't', body: 'b' },
    } as const;
    const message = pushMessage(push, {
      link: 'https://app.example/{familyId}/q/{questionId}?kind={kind}&push={notificationId}',
      icon: 'https://app.example/icon.png',
    });
    assert.deepEqual(message.webpush, {
      notification: { tag: 'n-1', icon: 'https://app.example/icon.png' },
      fcmOptions: { link: 'https://app.example/f%201/q/q-1?kind=reminder&push=n-1' },
    });
    const { webpush: _, ...others } = message;
    const { webpush: __, ...withoutWebApp } = pushMessage(push);
    assert.deepEqual(others, withoutWebApp);
  });
});
