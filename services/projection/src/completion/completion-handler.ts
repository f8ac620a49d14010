import { causedBy, type DomainEvent } from '@haru/contracts';
import { lockForTransaction } from '@haru/db';
import { handleOnce } from '@haru/messaging';
import type { Kysely } from 'kysely';
import type { ProjectionDatabase } from '../database.ts';
import { announceCompletions } from './announce-completions.ts';
import { applyToModel, isCompletionFact } from './apply-to-model.ts';

/**
 * Applies one event from the projection's queue to the live read model, at most once
 * (inbox), and announces the questions it completes (outbox), all in one transaction.
 *
 * While a replay (rebuild or verify) is registered, the event is applied to the replay's
 * copy of the model in the same transaction, so the copy holds every event the live model
 * has. The registrations are read, and key-share locked, before the live tables are
 * touched: a swap deletes its registration first and then locks the live tables, so a
 * handler never holds a live-table lock while waiting for the swap (no deadlock), and a
 * registration cannot vanish under a handler that is writing to its copy.
 *
 * Resolves true when the event was applied, false for a duplicate.
 */
export async function applyToCompletion(
  db: Kysely<ProjectionDatabase>,
  event: DomainEvent,
  now: Date,
): Promise<boolean> {
  return handleOnce(db, event, async (trx) => {
    if (!isCompletionFact(event)) return;
    await lockForTransaction(trx, 'projection', [event.familyId]);
    const replays = await trx.selectFrom('replay_targets').select('schema_name').forKeyShare().execute();
    const completed = await applyToModel(trx, [event]);
    for (const replay of replays) await applyToModel(trx.withSchema(replay.schema_name), [event]);
    await announceCompletions(trx, completed, causedBy(event, now));
  });
}
