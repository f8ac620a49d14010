import type { PushKind } from '@haru/contracts';
import type { Selectable } from 'kysely';

/** One push per (family, question, kind); its id is `notificationIdFor` of those. */
export interface NotificationTable {
  notification_id: string;
  family_id: string;
  question_id: string;
  kind: PushKind;
  created_at: Date;
  /** When NotificationSent was emitted; set once, so redeliveries never emit it again. */
  reported_at: Date | null;
}

export type Notification = Selectable<NotificationTable>;
