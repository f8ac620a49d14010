import type { FamilyRecord } from './console-reads.ts';

export interface TimelineEntry {
  at: Date;
  /** The service whose record it is. */
  source: 'answer' | 'scheduler' | 'notifier';
  what: string;
  detail: string;
}

/** A family's events, fired due rows and deliveries, in the order they happened. */
export function familyTimeline(record: FamilyRecord): TimelineEntry[] {
  const entries: TimelineEntry[] = [
    ...record.events.map(
      (event): TimelineEntry => ({
        at: event.occurredAt,
        source: 'answer',
        what: event.type,
        detail: `correlation ${event.correlationId}`,
      }),
    ),
    ...record.fired.map(
      (row): TimelineEntry => ({
        at: row.firedAt,
        source: 'scheduler',
        what: row.skipReason ? `${row.kind} skipped (${row.skipReason})` : `${row.kind} fired`,
        detail: `due ${row.dueAt.toISOString()} · ${row.subject}`,
      }),
    ),
    ...record.notifications.flatMap((notification) => [
      {
        at: notification.createdAt,
        source: 'notifier' as const,
        what: `${notification.kind} notification`,
        detail: `${notification.notificationId} · ${notification.deliveries.length} devices`,
      },
      ...notification.deliveries.map(
        (delivery): TimelineEntry => ({
          at: delivery.updatedAt,
          source: 'notifier',
          what: `delivery ${delivery.status}`,
          detail: [
            `${notification.kind} to ${delivery.token}`,
            delivery.errorCode ? `FCM ${delivery.errorCode}` : undefined,
            `${delivery.attempts} sends`,
          ]
            .filter(Boolean)
            .join(' · '),
        }),
      ),
    ]),
  ];
  return entries.sort((a, b) => a.at.getTime() - b.at.getTime());
}

const dayMs = 24 * 60 * 60 * 1000;

/**
 * Answers "why did this family get no push today?" from what the services recorded, hop
 * by hop: the schedule, the scheduler firing the question, the answer service opening
 * it, the notifier's notification, and each delivery with FCM's answer.
 */
export function explainFamily(record: FamilyRecord, now: Date): string[] {
  const { schedule } = record;
  if (!schedule) {
    return record.events.length === 0
      ? [`no family ${record.familyId}: neither the answer service nor the scheduler knows it`]
      : [
          'the scheduler has no schedule for this family: its FamilyCreated was not handled (see `npm run dlq -- list`)',
        ];
  }
  const next = `the next question is due at ${schedule.nextQuestionAt.toISOString()} (${schedule.pushTime} ${schedule.timezone})`;
  const since = now.getTime() - dayMs;
  const fired = record.fired.filter((row) => row.kind === 'question' && row.firedAt.getTime() >= since).at(-1);
  if (!fired) return [`no question came due in the last 24 hours; ${next}`];
  if (fired.skipReason)
    return [`the question due at ${fired.dueAt.toISOString()} was skipped (${fired.skipReason}); ${next}`];

  const opened = record.events
    .filter((event) => event.type === 'QuestionOpened' && event.occurredAt.getTime() >= since)
    .at(-1);
  if (!opened) {
    return [
      `the scheduler fired the question due at ${fired.dueAt.toISOString()}, but the answer service has not opened it (see \`npm run dlq -- list\`)`,
    ];
  }
  const notification = record.notifications
    .filter((candidate) => candidate.kind === 'question' && candidate.createdAt.getTime() >= since)
    .at(-1);
  if (!notification) {
    return [
      record.devices.some((device) => device.active)
        ? `the question opened at ${opened.occurredAt.toISOString()}, but the notifier has made no notification for it (see \`npm run dlq -- show notifier\`)`
        : `the question opened at ${opened.occurredAt.toISOString()}, but no member of the family has a registered device`,
    ];
  }
  const { deliveries } = notification;
  if (deliveries.length === 0) {
    return [`notification ${notification.notificationId} has no deliveries: no member had an active device then`];
  }
  const sent = deliveries.filter((delivery) => delivery.status === 'sent');
  const lines = [
    `today's question (notification ${notification.notificationId}) reached FCM for ${sent.length} of ${deliveries.length} devices`,
  ];
  for (const delivery of deliveries.filter((candidate) => candidate.status !== 'sent')) {
    const why = delivery.errorCode
      ? ` (FCM ${delivery.errorCode}${delivery.errorMessage ? `: ${delivery.errorMessage}` : ''})`
      : '';
    lines.push(
      delivery.status === 'pending'
        ? `  ${delivery.token}: not yet, retrying after ${delivery.attempts} sends${why}`
        : `  ${delivery.token}: ${delivery.status}${why}`,
    );
  }
  return lines;
}
