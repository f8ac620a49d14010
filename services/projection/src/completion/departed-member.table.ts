/** Members who left; they stop blocking completion from then on. */
export interface DepartedMembersTable {
  family_id: string;
  member_id: string;
  left_at: Date;
}
