import type { Generated } from 'kysely';

/** An imported version of the question catalogue (`catalogue.repository.ts`). */
export interface CatalogueVersionsTable {
  version: number;
  question_count: number;
  imported_at: Generated<Date>;
}

/** A question of a catalogue version, by its id (stable across versions). */
export interface CatalogueQuestionsTable {
  version: number;
  question_id: number;
  ko: string;
  en: string;
}
