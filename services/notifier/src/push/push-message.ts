import type { PushKind } from '@haru/contracts';

/** What a member reads on the lock screen. */
export interface PushContent {
  title: string;
  body: string;
}

/** An FCM v1 message to one device (the subset of firebase-admin's TokenMessage haru uses). */
export interface PushMessage {
  token: string;
  notification: PushContent;
  data: { kind: PushKind; familyId: string; questionId: string; notificationId: string };
  android: { collapseKey: string; notification: { tag: string } };
  apns: { headers: { 'apns-collapse-id': string } };
  webpush: { notification: { tag: string } };
}

/**
 * The notification id is the Android tag and collapse key, the APNs collapse id and a web
 * notification's tag (FCM applies each block only to its platform's devices), so a push
 * that is sent again (after a crash between FCM accepting it and haru recording that)
 * replaces the first on the device instead of showing twice.
 */
export function pushMessage(push: {
  token: string;
  notificationId: string;
  kind: PushKind;
  familyId: string;
  questionId: string;
  content: PushContent;
}): PushMessage {
  const { token, notificationId, kind, familyId, questionId, content } = push;
  return {
    token,
    notification: { title: content.title, body: content.body },
    data: { kind, familyId, questionId, notificationId },
    android: { collapseKey: notificationId, notification: { tag: notificationId } },
    apns: { headers: { 'apns-collapse-id': notificationId } },
    webpush: { notification: { tag: notificationId } },
  };
}
