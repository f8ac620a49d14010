import type { Executor } from '@haru/db';
import type { AnswerDatabase } from '../database.ts';
import { readStreams } from '../event-store/event-store.ts';
import { familyFold, familyStream } from '../families/family.repository.ts';
import type { FamilyState, Member } from '../families/family.ts';
import { membershipsOf } from '../personal-data/personal-keys.ts';

type ActiveFamily = Extract<FamilyState, { status: 'active' }>;

/** A family an account belongs to, or once belonged to, and the account's member there. */
export interface AccountMembership {
  family: ActiveFamily;
  member: Member;
}

/**
 * The families an account has joined, in the order it joined them, each with its member
 * (active, or left). Two indexed reads whatever the account's age: its memberships by uid
 * (`personal_keys_uid`) and the families' kept states (one row each).
 */
export async function accountMemberships(db: Executor<AnswerDatabase>, uid: string): Promise<AccountMembership[]> {
  const memberships = await membershipsOf(db, uid);
  const states = await readStreams(
    db,
    memberships.map(({ familyId }) => ({ streamId: familyStream(familyId), fold: familyFold })),
  );
  return memberships.flatMap(({ familyId, memberId }) => {
    const family = states.get(familyStream(familyId))?.state as FamilyState | undefined;
    if (family?.status !== 'active') return [];
    const member = family.members.find((candidate) => candidate.memberId === memberId);
    return member ? [{ family, member }] : [];
  });
}

/** The families the account is a member of now: what the app lists as the caller's. */
export async function familiesOfAccount(db: Executor<AnswerDatabase>, uid: string) {
  const memberships = await accountMemberships(db, uid);
  return memberships
    .filter(({ member }) => member.active)
    .map(({ family, member }) => ({
      familyId: family.familyId,
      name: family.name,
      memberId: member.memberId,
      role: member.role,
      displayName: member.displayName,
    }));
}
