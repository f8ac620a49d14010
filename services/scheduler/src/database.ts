import type { MessagingTables } from '@haru/messaging';
import type { FiredTable } from './due-tick/fired.table.ts';
import type { FamilyScheduleTable } from './family-schedule/family-schedule.table.ts';
import type { PendingPushTable } from './question-pushes/pending-push.table.ts';
import type { QuestionProgressTable } from './question-pushes/question-progress.table.ts';

export const schema = 'scheduler';

export interface SchedulerDatabase extends MessagingTables {
  family_schedule: FamilyScheduleTable;
  question_progress: QuestionProgressTable;
  pending_push: PendingPushTable;
  fired: FiredTable;
}
