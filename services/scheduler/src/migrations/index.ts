import type { MigrationSet } from '@haru/db';
import { messagingMigrations } from '@haru/messaging';
import * as dueIndex from './2026-11-25T03.00-due-index.ts';
import * as reminders from './2026-11-25T04.00-reminders.ts';
import * as rescheduledQuestions from './2026-12-03T01.00-rescheduled-questions.ts';
import * as retentionIndexes from './2026-12-09T01.00-retention-indexes.ts';
import * as whoAnsweredKeptByTheProjection from './2026-12-10T01.00-who-answered-kept-by-the-projection.ts';

export const migrations: MigrationSet = {
  ...messagingMigrations,
  '2026-11-25T03.00-due-index': dueIndex,
  '2026-11-25T04.00-reminders': reminders,
  '2026-12-03T01.00-rescheduled-questions': rescheduledQuestions,
  '2026-12-09T01.00-retention-indexes': retentionIndexes,
  '2026-12-10T01.00-who-answered-kept-by-the-projection': whoAnsweredKeptByTheProjection,
};
