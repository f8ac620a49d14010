// The question catalogue and how a family walks it: every question once, in an order of the
// family's own, before any comes back — the questions added meanwhile included. Pure: the
// catalogue is data (`catalogue.repository.ts`), handed to the decision that opens a question.
import { createHash } from 'node:crypto';

export interface CatalogueQuestion {
  /** Stable across versions: what a family's progress remembers. */
  id: number;
  text: { ko: string; en: string };
}

export interface Catalogue {
  version: number;
  questions: readonly CatalogueQuestion[];
}

/**
 * Where a family is in the catalogue: the round it is on and the questions asked in it (a
 * bitset of ids, 32 a word). Bounded by the catalogue's size, not by the family's age.
 */
export interface CatalogueProgress {
  cycle: number;
  asked: number[];
}

export const noProgress = (): CatalogueProgress => ({ cycle: 0, asked: [] });

export const wasAsked = (progress: CatalogueProgress, id: number): boolean =>
  ((progress.asked[id >>> 5] ?? 0) & (1 << (id & 31))) !== 0;

/** The progress once question `id` was asked in `cycle` (a later cycle starts afresh). */
export function askedIn(progress: CatalogueProgress, id: number, cycle: number): CatalogueProgress {
  if (cycle < progress.cycle) return progress;
  const asked = cycle > progress.cycle ? [] : [...progress.asked];
  while (asked.length <= id >>> 5) asked.push(0);
  asked[id >>> 5] = ((asked[id >>> 5] as number) | (1 << (id & 31))) >>> 0;
  return { cycle, asked };
}

/**
 * The family's next question: of those not asked in its current cycle, the first in the
 * family's own order (a hash of family, cycle and question); when every question has been
 * asked, the next cycle begins. A question added to the catalogue is a candidate at once.
 * Deterministic: the same family, progress and catalogue give the same question.
 */
export function nextQuestion(
  familyId: string,
  progress: CatalogueProgress,
  catalogue: Catalogue,
): { question: CatalogueQuestion; cycle: number } {
  let cycle = progress.cycle;
  let candidates: readonly CatalogueQuestion[] = catalogue.questions.filter(
    (question) => !wasAsked(progress, question.id),
  );
  if (candidates.length === 0) {
    cycle += 1;
    candidates = catalogue.questions;
  }
  const seed = familySeed(familyId);
  let best: CatalogueQuestion | undefined;
  let bestRank = Number.POSITIVE_INFINITY;
  for (const question of candidates) {
    const rank = mix(seed ^ Math.imul(cycle + 1, 0x9e3779b1) ^ Math.imul(question.id, 0x85ebca6b));
    if (rank < bestRank || (rank === bestRank && best !== undefined && question.id < best.id)) {
      best = question;
      bestRank = rank;
    }
  }
  if (!best) throw new Error('the question catalogue is empty');
  return { question: best, cycle };
}

/** FNV-1a of the family id: where its order starts. */
function familySeed(familyId: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < familyId.length; index++) {
    hash = Math.imul(hash ^ familyId.charCodeAt(index), 0x01000193);
  }
  return hash >>> 0;
}

/** MurmurHash3's finaliser: spreads every input bit over the result. */
function mix(value: number): number {
  let hash = value >>> 0;
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}

/** How many questions the catalogue had before it became data (ids 1–62, in their order then). */
const firstCatalogueSize = 62;

/**
 * The id of the question a QuestionOpened recorded before questions had ids: the first
 * catalogue was walked from an offset of the family's, a question a day, and its questions
 * keep their places as ids 1–62.
 */
export function legacyQuestionId(familyId: string, day: number): number {
  const offset = createHash('sha256').update(familyId).digest().readUInt32BE(0);
  return ((offset + day) % firstCatalogueSize) + 1;
}
