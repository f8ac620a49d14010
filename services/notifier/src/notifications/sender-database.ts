import { createDatabase } from '@haru/db';
import { type NotifierDatabase, schema } from '../database.ts';
import { batchPlannerSettings } from './delivery.repository.ts';

/**
 * The connections a due-delivery sender of `concurrency` workers uses at most: each worker
 * records its last batch, and takes the budget, while its round makes one claim at a time.
 */
export const senderPoolSize = (concurrency: number) => 2 * concurrency + 1;

/**
 * The due-delivery sender's own pool, apart from the consumer's and the API's, so that a burst
 * never takes the connections they need, nor they its: planned for batches
 * (`batchPlannerSettings`), and named for its job in pg_stat_activity.
 */
export const senderDatabase = ({ url, poolSize }: { url: string; poolSize: number }) =>
  createDatabase<NotifierDatabase>({ url, schema, poolSize, settings: batchPlannerSettings, job: 'sender' });
