import type { MessagingTables } from '@haru/messaging';
import type { EventsTable } from './event-store/event.table.ts';
import type { StreamStatesTable } from './event-store/stream-state.table.ts';
import type { IdempotencyKeysTable } from './families/idempotency-key.table.ts';
import type { InviteCodesTable } from './families/invite-code.table.ts';
import type { PersonalKeysTable } from './personal-data/personal-key.table.ts';
import type { CatalogueQuestionsTable, CatalogueVersionsTable } from './questions/catalogue.table.ts';

export const schema = 'answer';

export interface AnswerDatabase extends MessagingTables {
  events: EventsTable;
  stream_states: StreamStatesTable;
  personal_keys: PersonalKeysTable;
  catalogue_versions: CatalogueVersionsTable;
  catalogue_questions: CatalogueQuestionsTable;
  invite_codes: InviteCodesTable;
  idempotency_keys: IdempotencyKeysTable;
}
