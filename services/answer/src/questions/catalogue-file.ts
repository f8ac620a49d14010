import { HaruError } from '@haru/errors';
import { z } from 'zod';
import type { Catalogue } from './catalogue.ts';

/** A catalogue as written in a file: `{ version, questions: [{ id, ko, en }] }`. */
const catalogueFileSchema = z.object({
  version: z.number().int().positive(),
  questions: z
    .array(z.object({ id: z.number().int().positive().max(65_535), ko: z.string(), en: z.string() }).strict())
    .min(1),
});

const length = { min: 5, max: 120 };
const hangul = /[\uac00-\ud7a3]/;

/** Text compared for duplicates: case, spacing and punctuation aside. */
const normalised = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');

/**
 * Checks a catalogue file before it is imported, and lists every problem at once: each
 * question in both languages (Korean in Hangul, English without), of a sensible length,
 * none twice (in either language, case, spacing and punctuation aside), ids unique; and,
 * against the catalogue in use, a newer version that keeps every question it has (by id: a
 * family's progress remembers ids; the wording may be corrected).
 */
export function validateCatalogue(input: unknown, current?: Catalogue): Catalogue {
  const parsed = catalogueFileSchema.safeParse(input);
  if (!parsed.success) {
    throw new HaruError('invalid', `not a catalogue file: ${z.prettifyError(parsed.error)}`);
  }
  const { version, questions } = parsed.data;
  const problems: string[] = [];
  const ids = new Set<number>();
  const texts = { ko: new Map<string, number>(), en: new Map<string, number>() };
  for (const { id, ko, en } of questions) {
    if (ids.has(id)) problems.push(`question ${id}: the id is used twice`);
    ids.add(id);
    for (const [language, text] of [
      ['ko', ko],
      ['en', en],
    ] as const) {
      const trimmed = text.trim();
      if (trimmed !== text) problems.push(`question ${id} (${language}): leading or trailing spaces`);
      if (trimmed.length < length.min || trimmed.length > length.max) {
        problems.push(`question ${id} (${language}): ${trimmed.length} characters (${length.min}–${length.max})`);
      }
      const same = texts[language].get(normalised(text));
      if (same !== undefined) problems.push(`question ${id} (${language}): the same as question ${same}`);
      texts[language].set(normalised(text), id);
    }
    if (!hangul.test(ko)) problems.push(`question ${id} (ko): not Korean`);
    if (hangul.test(en)) problems.push(`question ${id} (en): not English`);
  }
  if (current) {
    if (version <= current.version) {
      problems.push(`version ${version} is not newer than the catalogue in use (version ${current.version})`);
    }
    const missing = current.questions.filter((question) => !ids.has(question.id)).map((question) => question.id);
    if (missing.length > 0) problems.push(`questions of version ${current.version} left out: ${missing.join(', ')}`);
  }
  if (problems.length > 0) {
    throw new HaruError('invalid', `the catalogue has ${problems.length} problem(s):\n${problems.join('\n')}`, {
      problems,
    });
  }
  return { version, questions: questions.map(({ id, ko, en }) => ({ id, text: { ko, en } })) };
}
