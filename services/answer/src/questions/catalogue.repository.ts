import { readFileSync } from 'node:fs';
import type { Executor } from '@haru/db';
import type { AnswerDatabase } from '../database.ts';
import type { Catalogue } from './catalogue.ts';
import { validateCatalogue } from './catalogue-file.ts';

/** The catalogue that ships with the service (`services/answer/catalogue/questions.json`). */
export const bundledCatalogueFile = new URL('../../catalogue/questions.json', import.meta.url).pathname;

let bundled: Catalogue | undefined;
export function bundledCatalogue(): Catalogue {
  bundled ??= validateCatalogue(JSON.parse(readFileSync(bundledCatalogueFile, 'utf8')));
  return bundled;
}

/** The newest imported version, if any. */
export async function latestImportedCatalogue(db: Executor<AnswerDatabase>): Promise<Catalogue | undefined> {
  const latest = await db
    .selectFrom('catalogue_versions')
    .select('version')
    .orderBy('version', 'desc')
    .executeTakeFirst();
  if (!latest) return undefined;
  const rows = await db
    .selectFrom('catalogue_questions')
    .select(['question_id', 'ko', 'en'])
    .where('version', '=', latest.version)
    .orderBy('question_id')
    .execute();
  return {
    version: latest.version,
    questions: rows.map(({ question_id, ko, en }) => ({ id: question_id, text: { ko, en } })),
  };
}

/** The catalogue in use: the newest of those imported and the one bundled with the service. */
export async function catalogueInUse(db: Executor<AnswerDatabase>): Promise<Catalogue> {
  const imported = await latestImportedCatalogue(db);
  const shipped = bundledCatalogue();
  return imported && imported.version >= shipped.version ? imported : shipped;
}

/**
 * Validates a catalogue file against the catalogue in use and stores it as the newest
 * version (in one transaction; a version imported concurrently makes this one fail).
 */
export async function importCatalogue(db: Executor<AnswerDatabase>, file: unknown): Promise<Catalogue> {
  const catalogue = validateCatalogue(file, await catalogueInUse(db));
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('catalogue_versions')
      .values({ version: catalogue.version, question_count: catalogue.questions.length })
      .execute();
    await trx
      .insertInto('catalogue_questions')
      .values(catalogue.questions.map(({ id, text }) => ({ version: catalogue.version, question_id: id, ...text })))
      .execute();
  });
  return catalogue;
}

/** How long a process uses the catalogue it read before looking for a newer one. */
const catalogueRefreshMs = 60_000;
const inUse = new WeakMap<object, { catalogue: Promise<Catalogue>; readAt: number }>();

/**
 * The catalogue in use, read at most once a minute per process: a question opens per family
 * a day, and a newly imported version is in use within a minute.
 */
export function currentCatalogue(db: Executor<AnswerDatabase>, now = Date.now()): Promise<Catalogue> {
  const known = inUse.get(db);
  if (known && now - known.readAt < catalogueRefreshMs) return known.catalogue;
  const catalogue = catalogueInUse(db);
  inUse.set(db, { catalogue, readAt: now });
  // A failed read is not kept: the next question asks again.
  catalogue.catch(() => {
    if (inUse.get(db)?.catalogue === catalogue) inUse.delete(db);
  });
  return catalogue;
}
