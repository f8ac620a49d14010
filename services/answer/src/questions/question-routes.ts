import type { Database } from '@haru/db';
import { HaruError } from '@haru/errors';
import { requireCaller } from '@haru/http';
import { Hono } from 'hono';
import type { AnswerDatabase } from '../database.ts';
import { currentQuestion, existing, requireMember } from '../families/family.ts';
import { familyIdOf, type RequestEnv } from '../families/family-routes.ts';
import { loadFamily } from '../families/family-store.ts';
import { loadQuestion } from './question-store.ts';

export function questionRoutes(database: Database<AnswerDatabase>) {
  return new Hono<RequestEnv>().use(requireCaller()).get('/:familyId/questions/current', async (c) => {
    const family = existing(await loadFamily(database.db, familyIdOf(c)));
    const member = requireMember(family, c.get('uid'));
    const current = currentQuestion(family, new Date());
    if (!current) throw new HaruError('not-found', 'no question has opened yet');
    const { answers } = await loadQuestion(database.db, current.questionId);
    // Other members' answers are shown only to someone who has answered too.
    const hasAnswered = answers.some((answer) => answer.memberId === member.memberId);
    return c.json({
      questionId: current.questionId,
      localDate: current.localDate,
      text: current.text[member.locale],
      openedAt: current.openedAt,
      requiredMemberIds: current.requiredMemberIds,
      answers: hasAnswered ? answers : [],
    });
  });
}
