import type { EventOf } from '@haru/contracts';
import { handleOnce } from '@haru/messaging';
import type { Kysely } from 'kysely';
import type { NotifierDatabase } from '../database.ts';
import { addDeliveriesToPreparedPushes } from '../notifications/delivery.repository.ts';
import { recordMemberJoined, recordMemberLeft, recordPreferences } from './recipient.repository.ts';
import { lockAccountRecipients } from './recipient-locks.ts';

/**
 * Keeps the recipients table in step with the family's members, in any arrival order. A
 * member who joins before a prepared push's instant gets it too; one who leaves is skipped
 * by the sender at the instant.
 */
export async function handleMemberEvent(
  db: Kysely<NotifierDatabase>,
  event: EventOf<'MemberJoined'> | EventOf<'MemberLeft'> | EventOf<'MemberPreferencesChanged'>,
  now: Date,
): Promise<void> {
  await handleOnce(db, event, async (trx) => {
    if (event.type === 'MemberJoined') {
      const { memberId, uid, locale } = event.data;
      await lockAccountRecipients(trx, uid, event.familyId);
      await recordMemberJoined(trx, { familyId: event.familyId, memberId, uid, locale }, now);
      await addDeliveriesToPreparedPushes(trx, { familyId: event.familyId, memberId }, now);
    } else if (event.type === 'MemberLeft') {
      await recordMemberLeft(trx, { familyId: event.familyId, memberId: event.data.memberId }, now);
    } else {
      const { memberId, locale, mutedKinds } = event.data;
      const changedAt = new Date(event.occurredAt);
      await recordPreferences(trx, { familyId: event.familyId, memberId, locale, mutedKinds, changedAt }, now);
    }
  });
}
