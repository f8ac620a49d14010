// When is a family's question complete? Pure, and independent of the order in which
// the facts arrived, so that any permutation of the events yields the same answer.

export interface CompletionFacts {
  /** Members active when the question opened; null until QuestionOpened is seen. */
  requiredMemberIds: readonly string[] | null;
  answeredAt: ReadonlyMap<string, Date>;
  leftAt: ReadonlyMap<string, Date>;
}

/**
 * The instant the last required member was accounted for — by answering, or by leaving
 * (a member who leaves stops blocking) — or null while someone is still missing.
 * Members who joined after the question opened are not required.
 */
export function completedAt({ requiredMemberIds, answeredAt, leftAt }: CompletionFacts): Date | null {
  if (requiredMemberIds === null) return null;
  let latest: Date | null = null;
  let anyAnswer = false;
  for (const memberId of requiredMemberIds) {
    const answered = answeredAt.get(memberId);
    const left = leftAt.get(memberId);
    const settled = answered ?? left;
    if (!settled) return null;
    if (answered) anyAnswer = true;
    if (!latest || settled > latest) latest = settled;
  }
  // A question nobody answered (everyone left) is abandoned, not completed.
  return anyAnswer ? latest : null;
}

/**
 * The required members the question still waits for: neither answered nor left. Empty
 * once it is complete (or abandoned); null until QuestionOpened is seen.
 */
export function awaitedMembers({ requiredMemberIds, answeredAt, leftAt }: CompletionFacts): string[] | null {
  if (requiredMemberIds === null) return null;
  return requiredMemberIds.filter((memberId) => !answeredAt.has(memberId) && !leftAt.has(memberId));
}
