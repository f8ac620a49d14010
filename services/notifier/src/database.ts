import type { MessagingTables } from '@haru/messaging';
import type { DeviceTable } from './devices/device.table.ts';
import type { DeliveryTable } from './notifications/delivery.table.ts';
import type { NotificationTable } from './notifications/notification.table.ts';
import type { SendBudgetTable } from './push/send-budget.table.ts';
import type { AnswerTable } from './questions/answer.table.ts';
import type { QuestionTable } from './questions/question.table.ts';
import type { RecipientTable } from './recipients/recipient.table.ts';

export const schema = 'notifier';

export interface NotifierDatabase extends MessagingTables {
  recipients: RecipientTable;
  devices: DeviceTable;
  questions: QuestionTable;
  answers: AnswerTable;
  notifications: NotificationTable;
  deliveries: DeliveryTable;
  send_budget: SendBudgetTable;
}
