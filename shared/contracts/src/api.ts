// Request bodies of the app API, shared by the gateway (which checks them at the edge)
// and the services behind it (which check them again: internal APIs trust no one).
import { z } from 'zod';

export const localTimeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time HH:MM from 00:00 to 23:59');

export const timezoneSchema = z.string().max(64).refine(isIanaZone, 'an IANA time zone such as Asia/Seoul');

function isIanaZone(zone: string): boolean {
  if (!/^(UTC|[A-Za-z_]+(\/[A-Za-z0-9_+-]+)+)$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const quietHoursInputSchema = z.strictObject({ start: localTimeSchema, end: localTimeSchema }).nullable();

export const memberInputSchema = z.strictObject({
  role: z.enum(['parent', 'child']),
  displayName: z.string().trim().min(1).max(50),
  /** Absent means Korean (`defaultLocale`), applied where the member is recorded. */
  locale: z.enum(['ko', 'en']).optional(),
});

export const createFamilyInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(50),
  timezone: timezoneSchema,
  pushTime: localTimeSchema,
  quietHours: quietHoursInputSchema.optional(),
  member: memberInputSchema,
});

export const joinFamilyInputSchema = z.strictObject({
  inviteCode: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z0-9]{8}$/, 'an 8-character invite code'),
  member: memberInputSchema,
});

export const scheduleInputSchema = z.strictObject({
  pushTime: localTimeSchema,
  timezone: timezoneSchema,
  quietHours: quietHoursInputSchema.optional(),
});

export const answerInputSchema = z.strictObject({ text: z.string().trim().min(1).max(2000) });

export const deviceInputSchema = z.strictObject({ platform: z.enum(['android', 'ios', 'web']) });

/** The language of a member who did not choose one. */
export const defaultLocale = 'ko';

/** Default quiet hours of a new family, local time. */
export const defaultQuietHours = { start: '22:00', end: '08:00' } as const;

/** The header that carries the caller's verified identity from the gateway to the services. */
export const callerUidHeader = 'x-haru-uid';

/** The header that carries a request's correlation id into the events it causes. */
export const correlationIdHeader = 'x-correlation-id';
