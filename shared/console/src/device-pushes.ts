/** A push as the phone shows it. */
export interface PhonePush {
  receivedAt: string;
  title: string;
  body: string;
  kind: string;
  familyId: string;
  /** The notification id: Android tag and collapse key, APNs collapse id. */
  collapseId: string;
}

export interface DevicePushes {
  token: string;
  /** Newest first. */
  pushes: PhonePush[];
}

/** An FCM v1 message as it arrives on the wire (firebase-admin sends snake_case). */
interface WireMessage {
  token?: string;
  notification?: { title?: string; body?: string };
  data?: Record<string, string>;
  android?: { collapse_key?: string; notification?: { tag?: string } };
  apns?: { headers?: Record<string, string> };
}

export interface ReceivedMessage {
  receivedAt: string;
  message: unknown;
}

/**
 * The messages the local FCM endpoint accepted, by device, as each phone would list them:
 * newest first, and one entry per collapse id (a push sent again replaces the first).
 */
export function devicePushes(received: readonly ReceivedMessage[]): DevicePushes[] {
  const byToken = new Map<string, Map<string, PhonePush>>();
  for (const { receivedAt, message } of received) {
    const wire = (message ?? {}) as WireMessage;
    if (!wire.token) continue;
    const collapseId =
      wire.android?.collapse_key ?? wire.apns?.headers?.['apns-collapse-id'] ?? wire.data?.notificationId ?? receivedAt;
    const pushes = byToken.get(wire.token) ?? new Map<string, PhonePush>();
    byToken.set(wire.token, pushes);
    pushes.delete(collapseId);
    pushes.set(collapseId, {
      receivedAt,
      title: wire.notification?.title ?? '',
      body: wire.notification?.body ?? '',
      kind: wire.data?.kind ?? '',
      familyId: wire.data?.familyId ?? '',
      collapseId,
    });
  }
  return [...byToken.entries()]
    .map(([token, pushes]) => ({ token, pushes: [...pushes.values()].reverse() }))
    .sort((a, b) => (b.pushes[0]?.receivedAt ?? '').localeCompare(a.pushes[0]?.receivedAt ?? ''));
}

/** What the FCM endpoint at `url` accepted, oldest first; nothing when there is no endpoint. */
export async function fetchReceivedMessages(url: string | undefined): Promise<ReceivedMessage[]> {
  if (!url) return [];
  const response = await fetch(`${url}/messages`, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`GET ${url}/messages answered ${response.status}`);
  return ((await response.json()) as { messages: ReceivedMessage[] }).messages;
}
