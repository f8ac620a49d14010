import type { EventContext } from '@haru/contracts';
import type { Database, Executor } from '@haru/db';
import type { Transaction } from 'kysely';
import type { AnswerDatabase } from '../database.ts';
import { dropKeptState, executeCommand, type Fold, readStream, rebuildKeptState } from '../event-store/event-store.ts';
import {
  decideFamily,
  evolveFamily,
  type FamilyCommand,
  type FamilyEvent,
  type FamilyState,
  initialFamilyState,
} from './family.ts';

export const familyStream = (familyId: string): string => `family-${familyId}`;

/**
 * The family's state is kept beside its stream (`stream_states`): a command reads one row,
 * not years of QuestionOpened. Raise `shape` whenever `FamilyState` changes how it is
 * stored: every row of the old shape is then rebuilt from its stream when next read.
 */
export const familyFold: Fold<FamilyState, FamilyEvent> = {
  initial: initialFamilyState,
  evolve: evolveFamily,
  kept: { shape: 3 },
};

export const foldFamily = (events: readonly FamilyEvent[]): FamilyState =>
  events.reduce(evolveFamily, initialFamilyState());

export async function loadFamily(db: Executor<AnswerDatabase>, familyId: string): Promise<FamilyState> {
  return (await readStream(db, familyStream(familyId), familyFold)).state;
}

/**
 * Folds the family's state again from its stream alone and writes its row: for when what
 * the stream's events reveal has changed (personal data erased) and the kept state, which
 * holds member names and uids, must follow now rather than at the next read.
 */
export async function rebuildFamilyState(db: Executor<AnswerDatabase>, familyId: string): Promise<FamilyState> {
  return (await rebuildKeptState(db, familyStream(familyId), familyFold)).state;
}

/** Drops the family's kept state; the next read rebuilds it from the stream. */
export const dropFamilyState = (db: Executor<AnswerDatabase>, familyId: string): Promise<void> =>
  dropKeptState(db, familyStream(familyId));

/** Decides a family command on the family's stream; resolves with the state after it. */
export async function runFamilyCommand(
  database: Database<AnswerDatabase>,
  familyId: string,
  command: FamilyCommand,
  context: EventContext,
  /** Writes that must commit with the command's events (e.g. an idempotency record). */
  alsoInTransaction?: (trx: Transaction<AnswerDatabase>) => Promise<void>,
): Promise<{ state: FamilyState; appended: FamilyEvent[] }> {
  return executeCommand(database, {
    streamId: familyStream(familyId),
    fold: familyFold,
    familyId,
    context,
    decide: (state) => decideFamily(command, state),
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
}

export async function familyIdForInviteCode(db: Executor<AnswerDatabase>, code: string): Promise<string | undefined> {
  const row = await db.selectFrom('invite_codes').select('family_id').where('code', '=', code).executeTakeFirst();
  return row?.family_id;
}
