import type { EventOf } from '@haru/contracts';
import { handleOnce } from '@haru/messaging';
import type { Kysely } from 'kysely';
import type { NotifierDatabase } from '../database.ts';
import { recordMemberJoined, recordMemberLeft } from './recipient-repository.ts';

/** Keeps the recipients table in step with the family's members, in any arrival order. */
export async function handleMemberEvent(
  db: Kysely<NotifierDatabase>,
  event: EventOf<'MemberJoined'> | EventOf<'MemberLeft'>,
  now: Date,
): Promise<void> {
  await handleOnce(db, event, async (trx) => {
    if (event.type === 'MemberJoined') {
      const { memberId, uid, locale } = event.data;
      await recordMemberJoined(trx, { familyId: event.familyId, memberId, uid, locale }, now);
    } else {
      await recordMemberLeft(trx, { familyId: event.familyId, memberId: event.data.memberId }, now);
    }
  });
}
