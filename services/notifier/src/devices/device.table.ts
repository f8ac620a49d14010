import type { Selectable } from 'kysely';

export type Platform = 'android' | 'ios' | 'web';

/** A device's FCM registration token, owned by the uid that registered it last. */
export interface DeviceTable {
  token: string;
  uid: string;
  platform: Platform;
  /** False once its owner unregistered it or FCM reported the token dead. */
  active: boolean;
  last_seen_at: Date;
  updated_at: Date;
}

export type Device = Selectable<DeviceTable>;
