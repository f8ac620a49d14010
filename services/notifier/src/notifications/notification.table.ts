import type { PushKind } from '@haru/contracts';
import type { Selectable } from 'kysely';

/** One push per (family, question, kind); its id is `notificationIdFor` of those. */
export interface NotificationTable {
  notification_id: string;
  family_id: string;
  question_id: string;
  kind: PushKind;
  created_at: Date;
  /** The family's instant the push is for: its deliveries are sent no earlier. */
  due_at: Date;
  /**
   * The event that made the push due (null on rows older than these columns): whoever
   * sends or reports the notification emits its events as caused by it.
   */
  cause_event_id: string | null;
  correlation_id: string | null;
  /** When NotificationSent was emitted; set once, so redeliveries never emit it again. */
  reported_at: Date | null;
}

export type Notification = Selectable<NotificationTable>;
