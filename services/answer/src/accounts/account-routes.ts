import type { Database } from '@haru/db';
import { requireCaller } from '@haru/http';
import { Hono } from 'hono';
import type { AnswerDatabase } from '../database.ts';
import { type RequestEnv, requestContext } from '../request-context.ts';
import { eraseAccount } from './erase-account.ts';
import { exportAccount } from './export-account.ts';
import { familiesOfAccount } from './memberships.ts';

/** The caller's account: its families, what the answer service holds of it, and its erasure. */
export function accountRoutes(database: Database<AnswerDatabase>) {
  return new Hono<RequestEnv>()
    .use(requireCaller())
    .get('/me', async (c) => c.json({ families: await familiesOfAccount(database.db, c.get('uid')) }))
    .get('/me/export', async (c) => c.json(await exportAccount(database.db, c.get('uid'))))
    .post('/me/erasure', async (c) => {
      const members = await eraseAccount(database, c.get('uid'), { now: new Date(), context: requestContext(c) });
      return c.json({ members });
    });
}
