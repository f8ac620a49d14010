/** Invite code → family, kept in the same transaction as the family's creation. */
export interface InviteCodesTable {
  code: string;
  family_id: string;
}
