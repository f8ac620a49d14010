import type { OpenedQuestion } from '../families/family.ts';

/**
 * A page of a family's questions, newest first: those opened by `now` (a question prepared
 * ahead of its instant is not shown before it) and for a local date before `before`. The
 * cursor is the oldest date on the page, so questions that open meanwhile never shift the
 * pages after the first. `questions` are the family's, oldest first, one per local date.
 */
export function archivePage(
  questions: readonly OpenedQuestion[],
  { before, limit, now }: { before: string | undefined; limit: number; now: Date },
): { questions: OpenedQuestion[]; nextCursor: string | null } {
  const page: OpenedQuestion[] = [];
  // From just before the cursor back: a page costs its own length, however long the history.
  for (let index = indexBefore(questions, before) - 1; index >= 0 && page.length <= limit; index--) {
    const question = questions[index] as OpenedQuestion;
    if (Date.parse(question.openedAt) > now.getTime()) continue;
    page.push(question);
  }
  const more = page.length > limit;
  const shown = page.slice(0, limit);
  return { questions: shown, nextCursor: more ? (shown.at(-1)?.localDate ?? null) : null };
}

/** The index of the first question dated `before` or later (binary search: dates ascend). */
function indexBefore(questions: readonly OpenedQuestion[], before: string | undefined): number {
  if (before === undefined) return questions.length;
  let [low, high] = [0, questions.length];
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((questions[middle] as OpenedQuestion).localDate < before) low = middle + 1;
    else high = middle;
  }
  return low;
}
