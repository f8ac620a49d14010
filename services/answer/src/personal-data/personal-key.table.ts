import type { Generated } from 'kysely';

/**
 * A membership's key (AES-256-GCM): its member's personal fields in the events are sealed
 * under it. Deleting the row erases them (crypto-shredding, decision 9).
 */
export interface PersonalKeysTable {
  member_id: string;
  family_id: string;
  uid: string;
  key: Buffer;
  created_at: Generated<Date>;
}
