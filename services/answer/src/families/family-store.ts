import type { EventContext } from '@haru/contracts';
import type { Database, Executor } from '@haru/db';
import type { Transaction } from 'kysely';
import type { AnswerDatabase } from '../database.ts';
import { executeCommand, readStream } from '../event-store/event-store.ts';
import {
  decideFamily,
  evolveFamily,
  type FamilyCommand,
  type FamilyEvent,
  type FamilyState,
  initialFamilyState,
} from './family.ts';

export const familyStream = (familyId: string): string => `family-${familyId}`;

export const foldFamily = (events: FamilyEvent[]): FamilyState => events.reduce(evolveFamily, initialFamilyState());

export async function loadFamily(db: Executor<AnswerDatabase>, familyId: string): Promise<FamilyState> {
  const { events } = await readStream<FamilyEvent>(db, familyStream(familyId));
  return foldFamily(events);
}

/** Decides a family command on the family's stream; resolves with the state after it. */
export async function runFamilyCommand(
  database: Database<AnswerDatabase>,
  familyId: string,
  command: FamilyCommand,
  context: EventContext,
  /** Writes that must commit with the command's events (e.g. an idempotency record). */
  alsoInTransaction?: (trx: Transaction<AnswerDatabase>) => Promise<void>,
): Promise<{ state: FamilyState; appended: FamilyEvent[] }> {
  const { history, appended } = await executeCommand<FamilyEvent>(database, {
    streamId: familyStream(familyId),
    familyId,
    context,
    decide: (events) => decideFamily(command, foldFamily(events)),
    // The invite code lookup commits with the family or the invite, or not at all.
    alsoInTransaction: async (trx, events) => {
      for (const event of events) {
        // Every code ever issued keeps its row: the family's state says whether it is still valid.
        const code =
          event.type === 'FamilyCreated'
            ? event.data.inviteCode
            : event.type === 'InviteCreated'
              ? event.data.code
              : null;
        if (code) await trx.insertInto('invite_codes').values({ code, family_id: familyId }).execute();
      }
      await alsoInTransaction?.(trx);
    },
  });
  return { state: foldFamily(history), appended };
}

export async function familyIdForInviteCode(db: Executor<AnswerDatabase>, code: string): Promise<string | undefined> {
  const row = await db.selectFrom('invite_codes').select('family_id').where('code', '=', code).executeTakeFirst();
  return row?.family_id;
}
