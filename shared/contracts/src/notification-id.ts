import { v5 as uuidv5 } from 'uuid';

const namespace = '8d3f3b8e-4a8c-4c52-9c1e-6a1f2f0b9a10';

/**
 * One notification per (family, question, kind), whoever computes it and however
 * often: the id is derived, never generated, so redeliveries converge on it.
 */
export const notificationIdFor = (familyId: string, questionId: string, kind: string): string =>
  uuidv5(`${familyId}/${questionId}/${kind}`, namespace);
