import pg from 'pg';

/**
 * The console's reads of the services' schemas, read-only: its connections start every
 * transaction read-only, and it reads tables only (no service's code), so it never changes
 * what a service owns. Tables: answer.events; scheduler.family_schedule, pending_push and
 * fired; notifier.notifications, deliveries, recipients and devices.
 */
export type ConsoleReads = ReturnType<typeof consoleReads>;

export interface FamilySchedule {
  familyId: string;
  timezone: string;
  pushTime: string;
  quietHours: string | null;
  reminderOffsetMinutes: number;
  nextQuestionAt: Date;
  firedThrough: string | null;
  /** Pushes waiting for their instant ("everyone answered", reminders), soonest first. */
  pending: { kind: string; dueAt: Date }[];
}

export interface Delivery {
  token: string;
  memberId: string;
  status: string;
  errorCode: string | null;
  errorMessage: string | null;
  attempts: number;
  updatedAt: Date;
}

export interface Notification {
  notificationId: string;
  familyId: string;
  questionId: string;
  kind: string;
  createdAt: Date;
  deliveries: Delivery[];
}

export interface FamilyEvent {
  type: string;
  occurredAt: Date;
  correlationId: string;
}

export interface FiredRow {
  kind: string;
  subject: string;
  dueAt: Date;
  firedAt: Date;
  skipReason: string | null;
}

export interface FamilyDevice {
  memberId: string;
  token: string;
  platform: string;
  active: boolean;
}

export interface FamilyRecord {
  familyId: string;
  schedule: FamilySchedule | undefined;
  events: FamilyEvent[];
  fired: FiredRow[];
  notifications: Notification[];
  devices: FamilyDevice[];
}

export function consoleReads(databaseUrl: string) {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 3,
    options: '-c default_transaction_read_only=on',
    application_name: 'haru-console',
  });

  const rows = async <T>(text: string, values: unknown[] = []) => (await pool.query(text, values)).rows as T[];

  async function schedules(familyId?: string): Promise<FamilySchedule[]> {
    const found = await rows<{
      family_id: string;
      timezone: string;
      push_time: string;
      quiet_hours_start: string | null;
      quiet_hours_end: string | null;
      reminder_offset_minutes: number;
      next_due_at: Date;
      fired_through: string | null;
      pending: { kind: string; dueAt: string }[] | null;
    }>(
      `select s.family_id, s.timezone, s.push_time, s.quiet_hours_start, s.quiet_hours_end,
              s.reminder_offset_minutes, s.next_due_at, s.fired_through::text as fired_through,
              (select json_agg(json_build_object('kind', p.kind, 'dueAt', p.due_at) order by p.due_at)
                 from scheduler.pending_push p where p.family_id = s.family_id) as pending
         from scheduler.family_schedule s
        where $1::uuid is null or s.family_id = $1::uuid
        order by s.updated_at desc
        limit 200`,
      [familyId ?? null],
    );
    return found.map((row) => ({
      familyId: row.family_id,
      timezone: row.timezone,
      pushTime: row.push_time,
      quietHours: row.quiet_hours_start ? `${row.quiet_hours_start}–${row.quiet_hours_end}` : null,
      reminderOffsetMinutes: row.reminder_offset_minutes,
      nextQuestionAt: row.next_due_at,
      firedThrough: row.fired_through,
      pending: (row.pending ?? []).map((push) => ({ kind: push.kind, dueAt: new Date(push.dueAt) })),
    }));
  }

  async function notifications(familyId?: string): Promise<Notification[]> {
    const found = await rows<{
      notification_id: string;
      family_id: string;
      question_id: string;
      kind: string;
      created_at: Date;
      deliveries: (Omit<Delivery, 'updatedAt'> & { updatedAt: string })[] | null;
    }>(
      `select n.notification_id, n.family_id, n.question_id, n.kind, n.created_at,
              (select json_agg(json_build_object(
                        'token', d.token, 'memberId', d.member_id, 'status', d.status,
                        'errorCode', d.error_code, 'errorMessage', d.error_message,
                        'attempts', d.attempts, 'updatedAt', d.updated_at) order by d.updated_at)
                 from notifier.deliveries d where d.notification_id = n.notification_id) as deliveries
         from notifier.notifications n
        where $1::uuid is null or n.family_id = $1::uuid
        order by n.created_at desc
        limit 200`,
      [familyId ?? null],
    );
    return found.map((row) => ({
      notificationId: row.notification_id,
      familyId: row.family_id,
      questionId: row.question_id,
      kind: row.kind,
      createdAt: row.created_at,
      deliveries: (row.deliveries ?? []).map((delivery) => ({ ...delivery, updatedAt: new Date(delivery.updatedAt) })),
    }));
  }

  return {
    schedules: () => schedules(),
    notifications: () => notifications(),

    async family(familyId: string): Promise<FamilyRecord> {
      const [schedule, events, fired, familyNotifications, devices] = await Promise.all([
        schedules(familyId),
        rows<{ type: string; occurred_at: Date; correlation_id: string }>(
          `select type, occurred_at, correlation_id from answer.events
            where family_id = $1 order by global_position limit 1000`,
          [familyId],
        ),
        rows<{ kind: string; subject: string; due_at: Date; fired_at: Date; skip_reason: string | null }>(
          `select kind, subject, due_at, fired_at, skip_reason from scheduler.fired
            where family_id = $1 order by fired_at limit 1000`,
          [familyId],
        ),
        notifications(familyId),
        rows<{ member_id: string; token: string; platform: string; active: boolean }>(
          `select r.member_id, d.token, d.platform, d.active
             from notifier.recipients r join notifier.devices d on d.uid = r.uid
            where r.family_id = $1 and not r.left order by r.member_id, d.token`,
          [familyId],
        ),
      ]);
      return {
        familyId,
        schedule: schedule[0],
        events: events.map((row) => ({
          type: row.type,
          occurredAt: row.occurred_at,
          correlationId: row.correlation_id,
        })),
        fired: fired.map((row) => ({
          kind: row.kind,
          subject: row.subject,
          dueAt: row.due_at,
          firedAt: row.fired_at,
          skipReason: row.skip_reason,
        })),
        notifications: familyNotifications.reverse(),
        devices: devices.map((row) => ({
          memberId: row.member_id,
          token: row.token,
          platform: row.platform,
          active: row.active,
        })),
      };
    },

    close: () => pool.end(),
  };
}
