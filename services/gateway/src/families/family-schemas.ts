import {
  createFamilyInputSchema,
  inviteInputSchema,
  joinFamilyInputSchema,
  preferencesInputSchema,
  renameFamilyInputSchema,
  roleChangeInputSchema,
  scheduleInputSchema,
} from '@haru/contracts';
import { z } from 'zod';

// What the app sends and gets back about families. Requests are the schemas the services
// check too (@haru/contracts); responses are strict, so that the document says all there is.

export const createFamilyInput = createFamilyInputSchema.meta({ id: 'CreateFamilyInput' });
export const joinFamilyInput = joinFamilyInputSchema.meta({ id: 'JoinFamilyInput' });
export const scheduleInput = scheduleInputSchema.meta({ id: 'ScheduleInput' });
export const inviteInput = inviteInputSchema.meta({ id: 'InviteInput' });
export const preferencesInput = preferencesInputSchema.meta({ id: 'PreferencesInput' });
export const roleChangeInput = roleChangeInputSchema.meta({ id: 'RoleChangeInput' });
export const renameFamilyInput = renameFamilyInputSchema.meta({ id: 'RenameFamilyInput' });

const id = z.uuid();
const localTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/)
  .meta({ description: 'local wall-clock time HH:MM' });
const role = z.enum(['parent', 'child']);
const quietHours = z
  .strictObject({ start: localTime, end: localTime })
  .nullable()
  .meta({ description: 'local hours without pushes; null for none' });
const reminderOffsetMinutes = z
  .number()
  .int()
  .meta({ description: 'minutes from each question to its reminder (deferred past quiet hours)' });

export const createdFamily = z
  .strictObject({
    familyId: id,
    inviteCode: z
      .string()
      .regex(/^[A-Z0-9]{8}$/)
      .meta({ description: 'a child invite: share it with the family' }),
    memberId: id.meta({ description: 'the caller, as a member of the new family' }),
  })
  .meta({ id: 'CreatedFamily' });

export const joinedFamily = z.strictObject({ familyId: id, memberId: id }).meta({ id: 'JoinedFamily' });

export const memberSettings = z
  .strictObject({
    memberId: id,
    role,
    displayName: z.string(),
    locale: z.enum(['ko', 'en']).meta({ description: 'the language of their pushes and questions' }),
    mutedKinds: z
      .array(z.enum(['reminder', 'complete']))
      .meta({ description: 'the pushes they do not get; today’s question always comes' }),
  })
  .meta({ id: 'MemberSettings', description: 'a member’s role and their own settings, as only they see them' });

export const invite = z
  .strictObject({
    inviteCode: z
      .string()
      .regex(/^[A-Z0-9]{8}$/)
      .meta({ description: 'the code to share; the role’s previous code no longer works' }),
    role: role.meta({ description: 'the role whoever joins with the code gets' }),
    expiresAt: z.iso.datetime({ offset: true }).meta({ description: 'after this, the code joins no one' }),
  })
  .meta({ id: 'Invite' });

export const member = z.strictObject({ memberId: id, role, displayName: z.string() }).meta({ id: 'Member' });

export const family = z
  .strictObject({
    familyId: id,
    name: z.string(),
    timezone: z.string().meta({ description: 'IANA time zone' }),
    pushTime: localTime,
    quietHours,
    reminderOffsetMinutes,
    members: z.array(member),
    me: memberSettings,
  })
  .meta({ id: 'Family' });

export const schedule = z
  .strictObject({ familyId: id, timezone: z.string(), pushTime: localTime, quietHours, reminderOffsetMinutes })
  .meta({ id: 'Schedule' });

export const examples = {
  createFamily: {
    name: 'Kims',
    timezone: 'Asia/Seoul',
    pushTime: '21:00',
    member: { role: 'parent', displayName: 'Mom', locale: 'ko' },
  } satisfies z.input<typeof createFamilyInput>,
  createdFamily: {
    familyId: '019ad8a8-6b2f-7c41-9e0a-3f5b1c2d4e6f',
    inviteCode: 'K7MZ2QXA',
    memberId: '019ad8a8-6b30-7d02-8a11-0b2c3d4e5f60',
  } satisfies z.input<typeof createdFamily>,
  joinFamily: { inviteCode: 'K7MZ2QXA', member: { displayName: 'Jun', locale: 'en' } } satisfies z.input<
    typeof joinFamilyInput
  >,
  joinedFamily: {
    familyId: '019ad8a8-6b2f-7c41-9e0a-3f5b1c2d4e6f',
    memberId: '019ad8a9-1f00-7e55-9b22-1c2d3e4f5a6b',
  } satisfies z.input<typeof joinedFamily>,
  family: {
    familyId: '019ad8a8-6b2f-7c41-9e0a-3f5b1c2d4e6f',
    name: 'Kims',
    timezone: 'Asia/Seoul',
    pushTime: '21:00',
    quietHours: { start: '22:00', end: '08:00' },
    reminderOffsetMinutes: 180,
    members: [
      { memberId: '019ad8a8-6b30-7d02-8a11-0b2c3d4e5f60', role: 'parent', displayName: 'Mom' },
      { memberId: '019ad8a9-1f00-7e55-9b22-1c2d3e4f5a6b', role: 'child', displayName: 'Jun' },
    ],
    me: {
      memberId: '019ad8a8-6b30-7d02-8a11-0b2c3d4e5f60',
      role: 'parent',
      displayName: 'Mom',
      locale: 'ko',
      mutedKinds: [],
    },
  } satisfies z.input<typeof family>,
  inviteInput: { role: 'parent' } satisfies z.input<typeof inviteInput>,
  invite: {
    inviteCode: 'P3RENT7Q',
    role: 'parent',
    expiresAt: '2026-12-10T12:00:00.000Z',
  } satisfies z.input<typeof invite>,
  preferencesInput: { locale: 'en', mutedKinds: ['reminder'] } satisfies z.input<typeof preferencesInput>,
  roleChangeInput: { role: 'parent' } satisfies z.input<typeof roleChangeInput>,
  renameFamilyInput: { name: 'The Kims' } satisfies z.input<typeof renameFamilyInput>,
  member: {
    memberId: '019ad8a9-1f00-7e55-9b22-1c2d3e4f5a6b',
    role: 'parent',
    displayName: 'Jun',
  } satisfies z.input<typeof member>,
  memberSettings: {
    memberId: '019ad8a9-1f00-7e55-9b22-1c2d3e4f5a6b',
    role: 'child',
    displayName: 'Jun',
    locale: 'en',
    mutedKinds: ['reminder'],
  } satisfies z.input<typeof memberSettings>,
  scheduleInput: {
    pushTime: '20:30',
    timezone: 'Asia/Seoul',
    quietHours: { start: '22:30', end: '07:30' },
    reminderOffsetMinutes: 120,
  } satisfies z.input<typeof scheduleInput>,
  schedule: {
    familyId: '019ad8a8-6b2f-7c41-9e0a-3f5b1c2d4e6f',
    timezone: 'Asia/Seoul',
    pushTime: '20:30',
    quietHours: { start: '22:30', end: '07:30' },
    reminderOffsetMinutes: 120,
  } satisfies z.input<typeof schedule>,
};
