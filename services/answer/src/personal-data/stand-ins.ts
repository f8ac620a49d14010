// What stands in for an erased member's personal data wherever haru shows it.

/** An erased member, as the others see them. */
export const formerMemberName = 'a former member';
/** An erased member's answer. */
export const erasedAnswerText = '(deleted with its author’s account)';
/** An erased member's uid: names nobody (a Firebase uid never has this form). */
export const erasedUid = (memberId: string): string => `erased:${memberId}`;
