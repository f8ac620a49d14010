import type { EventContext } from '@haru/contracts';
import type { Database, Executor } from '@haru/db';
import { HaruError } from '@haru/errors';
import { transactionWithOutbox } from '@haru/messaging';
import { sql } from 'kysely';
import type { AnswerDatabase } from '../database.ts';
import { appendToStreams, readStreams, retryOnConflict, type StreamAppend } from '../event-store/event-store.ts';
import { familyFold, familyStream, rebuildFamilyState } from '../families/family.repository.ts';
import { decideFamily, type FamilyEvent, type FamilyState } from '../families/family.ts';
import { personalFieldsOf, standInFor } from '../personal-data/personal-fields.ts';
import { destroyPersonalKeys, membershipsOf } from '../personal-data/personal-keys.ts';
import { erasedUid, formerMemberName } from '../personal-data/stand-ins.ts';
import { questionFold } from '../questions/question.repository.ts';
import { decideAnswerErasure, type QuestionEvent, type QuestionState } from '../questions/question.ts';

export interface ErasedMembership {
  familyId: string;
  memberId: string;
}

/**
 * Erases an account (decision 9): in every family it belongs to the member leaves (the last
 * parent rule holds: while it refuses anywhere, nothing changes and the 409 names the
 * families to hand over first) and is erased (MemberErased; AnswerErased on each question
 * they answered), and their keys are destroyed, all in one transaction: either every
 * personal field of theirs is unreadable or none is. Idempotent: once the keys are gone
 * the account has no memberships left to erase. Resolves with the memberships erased.
 */
export async function eraseAccount(
  database: Database<AnswerDatabase>,
  uid: string,
  { now, context }: { now: Date; context: EventContext },
): Promise<ErasedMembership[]> {
  return retryOnConflict(() =>
    transactionWithOutbox(database.db, async (trx) => {
      const memberships = await membershipsOf(trx, uid);
      const appends = await decideErasure(trx, memberships, { now, context });
      await appendToStreams(trx, appends);
      await destroyPersonalKeys(trx, uid);
      await trx.deleteFrom('idempotency_keys').where('uid', '=', uid).execute();
      const memberIds = memberships.map((membership) => membership.memberId);
      await redactStoredCopies(trx, memberIds);
      // The kept family states hold names and uids: folded again now the keys are gone.
      for (const familyId of new Set(memberships.map((membership) => membership.familyId))) {
        await rebuildFamilyState(trx, familyId);
      }
      return memberships;
    }),
  );
}

async function decideErasure(
  trx: Executor<AnswerDatabase>,
  memberships: readonly ErasedMembership[],
  { now, context }: { now: Date; context: EventContext },
): Promise<StreamAppend[]> {
  const families = await readStreams(
    trx,
    memberships.map(({ familyId }) => ({ streamId: familyStream(familyId), fold: familyFold })),
  );
  const appends: StreamAppend[] = [];
  const refusals: Array<{ familyId: string; name: string }> = [];
  for (const { familyId, memberId } of memberships) {
    const stream = families.get(familyStream(familyId));
    if (!stream) continue;
    const family = stream.state as FamilyState;
    let events: FamilyEvent[];
    try {
      events = decideFamily({ type: 'EraseMember', data: { memberId }, metadata: { now } }, family);
    } catch (error) {
      if (error instanceof HaruError && error.kind === 'conflict' && family.status === 'active') {
        refusals.push({ familyId, name: family.name });
        continue;
      }
      if (error instanceof HaruError && error.kind === 'not-found') continue;
      throw error;
    }
    if (events.length === 0) continue;
    const state = events.reduce(familyFold.evolve, family);
    const kept = familyFold.kept ? { kept: { shape: familyFold.kept.shape, state } } : {};
    appends.push({
      streamId: familyStream(familyId),
      familyId,
      expectedVersion: stream.version,
      events,
      context,
      ...kept,
    });
  }
  if (refusals.length > 0) {
    throw new HaruError(
      'conflict',
      `you are the last parent of ${refusals.map(({ name }) => `"${name}"`).join(', ')} while children remain: invite another parent to each, or remove the children, then delete your account`,
    );
  }
  appends.push(...(await answerErasures(trx, memberships, { now, context })));
  return appends;
}

/** AnswerErased on each question the members answered (found by index, `events_personal_by_member`). */
async function answerErasures(
  trx: Executor<AnswerDatabase>,
  memberships: readonly ErasedMembership[],
  { now, context }: { now: Date; context: EventContext },
): Promise<StreamAppend[]> {
  const memberIds = memberships.map((membership) => membership.memberId);
  if (memberIds.length === 0) return [];
  const answered = await trx
    .selectFrom('events')
    .select([
      'stream_id',
      'family_id',
      sql<string>`data->>'memberId'`.as('member_id'),
      sql<string>`data->>'questionId'`.as('question_id'),
    ])
    .where('type', '=', 'AnswerSubmitted')
    .where(sql<string>`data->>'memberId'`, 'in', memberIds)
    .execute();
  if (answered.length === 0) return [];
  const questions = await readStreams(
    trx,
    answered.map(({ stream_id }) => ({ streamId: stream_id, fold: questionFold })),
  );
  return answered.flatMap(({ stream_id, family_id, member_id, question_id }) => {
    const stream = questions.get(stream_id);
    if (!stream) return [];
    const events: QuestionEvent[] = decideAnswerErasure(stream.state as QuestionState, {
      questionId: question_id,
      memberId: member_id,
      now,
    });
    if (events.length === 0) return [];
    // One member's erasure per question stream at a time: another member's would follow it.
    const state = events.reduce(questionFold.evolve, stream.state as QuestionState);
    questions.set(stream_id, { version: stream.version + events.length, state });
    return [{ streamId: stream_id, familyId: family_id, expectedVersion: stream.version, events, context }];
  });
}

/**
 * Copies that are not sealed: events written before fields were sealed (redacted in place,
 * by index) and events still waiting on the outbox (the published MemberJoined carries the
 * uid and name; it is still published, with stand-ins).
 */
async function redactStoredCopies(trx: Executor<AnswerDatabase>, memberIds: readonly string[]): Promise<void> {
  if (memberIds.length === 0) return;
  for (const type of ['MemberJoined', 'MemberPreferencesChanged', 'AnswerSubmitted']) {
    for (const field of personalFieldsOf(type)) {
      await sql`
        update events
        set data = jsonb_set(data, ${`{${field}}`}::text[], to_jsonb(${field === 'uid' ? sql`${erasedUid('')}::text || (data->>'memberId')` : sql`${standInFor(type, field, '')}::text`}))
        where type = ${type} and data->>'memberId' = any(${memberIds}::text[])
          and not starts_with(data->>${field}, 'haru-sealed:')`.execute(trx);
    }
  }
  await sql`
    update outbox
    set envelope = jsonb_set(jsonb_set(envelope, '{data,uid}', to_jsonb(${erasedUid('')}::text || (envelope->'data'->>'memberId'))),
                             '{data,displayName}', to_jsonb(${formerMemberName}::text))
    where type = 'MemberJoined' and envelope->'data'->>'memberId' = any(${memberIds}::text[])`.execute(trx);
}
