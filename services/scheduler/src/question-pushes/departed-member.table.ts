/** Members who left their family; they are never reminded again (member ids are not reused). */
export interface DepartedMemberTable {
  family_id: string;
  member_id: string;
}
