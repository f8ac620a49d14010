import type { MessagingTables } from '@haru/messaging';
import type { AnnouncedCompletionsTable } from './completion/announced-completion.table.ts';
import type { AnswersTable } from './completion/answer.table.ts';
import type { DepartedMembersTable } from './completion/departed-member.table.ts';
import type { QuestionProgressTable } from './completion/question-progress.table.ts';
import type { ReplayTargetsTable } from './replay/replay-target.table.ts';

export const schema = 'projection';

export interface ProjectionDatabase extends MessagingTables {
  question_progress: QuestionProgressTable;
  answers: AnswersTable;
  departed_members: DepartedMembersTable;
  announced_completions: AnnouncedCompletionsTable;
  replay_targets: ReplayTargetsTable;
}

/**
 * The read model: its tables and their keys. A replay copies exactly these (with
 * `create table … (like … including all)`), a rebuild swaps them, a verify compares them.
 */
export const modelTables = {
  question_progress: ['family_id', 'question_id'],
  answers: ['family_id', 'question_id', 'member_id'],
  departed_members: ['family_id', 'member_id'],
} as const satisfies { [Table in keyof ProjectionDatabase]?: readonly (keyof ProjectionDatabase[Table])[] };

export type ModelTable = keyof typeof modelTables;
