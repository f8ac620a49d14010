import type { Generated, Selectable } from 'kysely';

export type Locale = 'ko' | 'en';
/** The kinds of push a member may mute. */
export type MutableKind = 'reminder' | 'complete';

/**
 * A family member who may receive pushes, kept from MemberJoined, MemberLeft and
 * MemberPreferencesChanged (their locale and muted kinds).
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
  /** Pushes of these kinds are not prepared for the member. */
  muted_kinds: Generated<MutableKind[]>;
  /** The member's account was erased: the row stays, without a uid, for good. */
  erased: Generated<boolean>;
  /** When the member's preferences last changed (the event's occurredAt); null if never. */
  preferences_changed_at: Date | null;
  updated_at: Date;
}

export type Recipient = Selectable<RecipientTable>;
