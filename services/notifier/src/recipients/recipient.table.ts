import type { Selectable } from 'kysely';

export type Locale = 'ko' | 'en';

/**
 * A family member who may receive pushes, kept from MemberJoined and MemberLeft.
 * Either may arrive first: a MemberLeft before its MemberJoined leaves a row with
 * `left` set and no uid yet, and the late join fills the uid in without clearing it.
 */
export interface RecipientTable {
  family_id: string;
  member_id: string;
  /** The member's Firebase uid; their devices are registered under it. Null until joined. */
  uid: string | null;
  locale: Locale | null;
  /** Joined and not left: the only recipients pushes go to. */
  active: boolean;
  left: boolean;
  updated_at: Date;
}

export type Recipient = Selectable<RecipientTable>;
