import type { Database } from '@haru/db';
import { HaruError } from '@haru/errors';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AnswerDatabase } from '../database.ts';
import { readEventFeed } from './read-event-feed.ts';

/** The largest xid8. */
const maxTransactionNumber = 2n ** 64n - 1n;

const feedQuery = z.strictObject({
  after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  /** Only events of transactions below this (a `frontier` of an earlier page). */
  until: z
    .string()
    .refine((value) => /^\d{1,20}$/.test(value) && BigInt(value) <= maxTransactionNumber, 'a transaction number')
    .optional(),
});

/**
 * `GET /events?after=<position>&limit=<n>[&until=<transaction>]`: the event store as a paged feed, for other
 * services replaying history (the projection's rebuild and verify). Internal only: the
 * service credential guards every route under /internal.
 */
export function eventFeedRoutes(database: Database<AnswerDatabase>) {
  return new Hono().get('/', async (c) => {
    const query = feedQuery.safeParse(c.req.query());
    if (!query.success) throw new HaruError('invalid', z.prettifyError(query.error));
    return c.json(await readEventFeed(database, query.data));
  });
}
