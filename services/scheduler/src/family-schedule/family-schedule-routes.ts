import { HaruError } from '@haru/errors';
import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { SchedulerDatabase } from '../database.ts';
import { findScheduleView } from './family-schedule.repository.ts';

const familyIdSchema = z.uuid();

/** The family's schedule as the scheduler applies it (mounted under /internal/families). */
export function familyScheduleRoutes({ db }: { db: Kysely<SchedulerDatabase> }) {
  return new Hono().get('/:familyId/schedule', async (c) => {
    const familyId = familyIdSchema.safeParse(c.req.param('familyId'));
    const view = familyId.success ? await findScheduleView(db, familyId.data) : undefined;
    if (!view) throw new HaruError('not-found', 'the scheduler knows no such family');
    return c.json(view);
  });
}
