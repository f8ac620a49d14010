import type { PushKind } from '@haru/contracts';

/** What a member reads on the lock screen. */
export interface PushContent {
  title: string;
  body: string;
}

/** A push's `data`: what an app routes a tap by (a type, not an interface, so that it is FCM's string map). */
export type PushData = {
  kind: PushKind;
  familyId: string;
  questionId: string;
  notificationId: string;
};

/**
 * What pushes to `web` devices carry from the web app's settings: the page a click opens
 * (`link`, a template naming any of the push's data fields in braces) and the icon shown.
 */
export interface WebPushOptions {
  link?: string | undefined;
  icon?: string | undefined;
}

/** An FCM v1 message to one device (the subset of firebase-admin's TokenMessage haru uses). */
export interface PushMessage {
  token: string;
  notification: PushContent;
  data: PushData;
  android: { collapseKey: string; notification: { tag: string } };
  apns: { headers: { 'apns-collapse-id': string } };
  webpush: { notification: { tag: string; icon?: string }; fcmOptions?: { link: string } };
}

/**
 * The notification id is the Android tag and collapse key, the APNs collapse id and a web
 * notification's tag (FCM applies each block only to its platform's devices), so a push
 * that is sent again (after a crash between FCM accepting it and haru recording that)
 * replaces the first on the device instead of showing twice.
 */
export function pushMessage(
  push: PushData & { token: string; content: PushContent },
  web: WebPushOptions = {},
): PushMessage {
  const { token, notificationId, kind, familyId, questionId, content } = push;
  const data = { kind, familyId, questionId, notificationId };
  return {
    token,
    notification: { title: content.title, body: content.body },
    data,
    android: { collapseKey: notificationId, notification: { tag: notificationId } },
    apns: { headers: { 'apns-collapse-id': notificationId } },
    webpush: {
      notification: { tag: notificationId, ...(web.icon ? { icon: web.icon } : {}) },
      ...(web.link ? { fcmOptions: { link: webPushLink(web.link, data) } } : {}),
    },
  };
}

/** The data fields a web push link may name, as `{familyId}`. */
export const webPushLinkFields: ReadonlyArray<keyof PushData> = ['kind', 'familyId', 'questionId', 'notificationId'];

/** A field named in a web push link: `{familyId}` (the setting's check and the filling-in read it alike). */
export const webPushLinkPlaceholder = /\{(\w*)\}/g;

/** The link template with each field it names filled in. */
const webPushLink = (template: string, data: PushData) =>
  template.replace(webPushLinkPlaceholder, (placeholder, field: string) =>
    field in data ? encodeURIComponent(data[field as keyof PushData]) : placeholder,
  );
