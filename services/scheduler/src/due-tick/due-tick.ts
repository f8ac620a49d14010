import type { EventOf, PushKind } from '@haru/contracts';
import { startPollingLoop } from '@haru/db';
import { delayBuckets, histogram, type Logger, type Metrics } from '@haru/observability';
import { type Kysely, sql } from 'kysely';
import type { SchedulerDatabase } from '../database.ts';
import type { AwaitedMembers } from '../question-pushes/awaited-members.ts';
import { type Announced, announceHorizon, type LeadOptions } from './announce-horizon.ts';
import { fireDueCompletePushes, fireDueReminders } from './fire-due-pushes.ts';
import { fireDueQuestions } from './fire-due-questions.ts';

export interface DueTickOptions extends LeadOptions {
  /** The tick's own database handle (its own pool; see service.ts). */
  db: Kysely<SchedulerDatabase>;
  logger: Logger;
  metrics: Metrics;
  now: () => Date;
  intervalMs: number;
  batchSize: number;
  catchUpWindowMinutes: number;
  /** Whom a due reminder goes to, asked of the projection. */
  awaitedMembers: AwaitedMembers;
}

export interface DueTick {
  /** Fires everything due now, batch after batch until the index is drained. */
  tickOnce(): Promise<{ questions: number; pushes: number }>;
  stop(): Promise<void>;
}

/**
 * The scheduler's one timer: every `intervalMs` it drains the due-index. No per-family
 * timers exist, so memory does not grow with families, and any number of replicas may
 * run this loop on the same database.
 */
export function startDueTick(options: DueTickOptions): DueTick {
  const { db, logger, now, intervalMs, batchSize, catchUpWindowMinutes, leadMs, awaitedMembers } = options;
  const announced = firedAnnouncer(options);

  // How far ahead questions, and reminders, are announced, each counted once a minute: due
  // instants fall on whole minutes, and the lead's own margin covers a crowd noticed up to a
  // minute late.
  const horizonOf = (pushes: Announced) => {
    let counted: { minute: number; horizon: Date } | undefined;
    return async (at: Date) => {
      const minute = Math.floor(at.getTime() / 60_000);
      if (counted?.minute !== minute) {
        const horizon = await announceHorizon(db, pushes, at, options);
        const crowded = horizon.getTime() > at.getTime() + leadMs;
        if (crowded && horizon.getTime() !== counted?.horizon.getTime()) {
          logger.info(
            { horizon: horizon.toISOString() },
            `a crowded minute: its ${pushes} are announced ahead of the lead`,
          );
        }
        counted = { minute, horizon };
      }
      return new Date(Math.max(at.getTime() + leadMs, counted.horizon.getTime()));
    };
  };
  const questionsHorizon = horizonOf('questions');
  const remindersHorizon = horizonOf('reminders');

  const drain = async (fireBatch: () => Promise<{ claimed: number; fired: number; events: FiredEvent[] }>) => {
    let claimed = 0;
    let fired = 0;
    for (;;) {
      const batch = await fireBatch();
      claimed += batch.claimed;
      fired += batch.fired;
      for (const event of batch.events) announced(event);
      if (batch.claimed < batchSize) return { claimed, fired };
    }
  };

  const tickOnce = async () => {
    const options = { batchSize, catchUpWindowMinutes, leadMs };
    const questions = await drain(async () => {
      const at = now();
      return fireDueQuestions(db, { now: at, batchSize, catchUpWindowMinutes, horizon: await questionsHorizon(at) });
    });
    const complete = await drain(() => fireDueCompletePushes(db, { now: now(), ...options }));
    // Last: a projection that cannot be asked holds up reminders only.
    const reminders = await drain(async () => {
      const at = now();
      return fireDueReminders(db, {
        now: at,
        batchSize,
        catchUpWindowMinutes,
        horizon: await remindersHorizon(at),
        awaitedMembers,
      });
    });
    const pushes = complete.fired + reminders.fired;
    // A claimed row that fired nothing was settled otherwise: a stale or already-fired
    // question, a skipped reminder.
    const settled = questions.claimed - questions.fired + reminders.claimed - reminders.fired;
    if (questions.fired + pushes + settled > 0) {
      logger.info({ questions: questions.fired, pushes, settled }, 'due tick fired');
    }
    return { questions: questions.fired, pushes };
  };

  // Besides every `intervalMs`, the loop wakes at the next due instant it knows of, so that
  // a due minute is not noticed up to a whole interval late.
  let alarm: NodeJS.Timeout | undefined;
  const setAlarm = async () => {
    clearTimeout(alarm);
    const next = await nextWakeAt(db, leadMs);
    const delay = next ? next.getTime() - now().getTime() : Number.POSITIVE_INFINITY;
    // Not for what is due already: another replica holds it, or it is left for the next round.
    if (delay > 0 && delay < intervalMs) alarm = setTimeout(() => loop.wake(), delay);
  };

  const loop = startPollingLoop({
    name: 'due tick',
    intervalMs,
    logger,
    runOnce: async () => {
      await tickOnce();
      await setAlarm();
    },
  });

  return {
    tickOnce,
    async stop() {
      await loop.stop();
      clearTimeout(alarm);
    },
  };
}

export type FiredEvent = EventOf<'QuestionDue' | 'DueAndComplete' | 'ReminderDue'>;

const kindOf: Record<FiredEvent['type'], PushKind> = {
  QuestionDue: 'question',
  DueAndComplete: 'complete',
  ReminderDue: 'reminder',
};

/**
 * What each fired (committed) due row leaves behind, whether the tick or an event handler
 * fired it: its lateness — the fire instant (the event's `occurredAt`) minus the instant
 * it was due, 0 for one announced ahead of its instant — in
 * `haru_scheduler_fire_lateness_seconds{kind}`, and a log line with its correlation id.
 */
export function firedAnnouncer({ logger, metrics }: Pick<DueTickOptions, 'logger' | 'metrics'>) {
  const lateness = histogram(metrics, {
    name: 'haru_scheduler_fire_lateness_seconds',
    help: 'How long after its due instant a push was fired, by kind (question, complete, reminder).',
    labelNames: ['kind'],
    buckets: delayBuckets,
  });
  return (event: FiredEvent) => {
    const kind = kindOf[event.type];
    const latenessSeconds = Math.max(Date.parse(event.occurredAt) - Date.parse(event.data.dueAt), 0) / 1000;
    lateness.observe({ kind }, latenessSeconds);
    logger.info(
      {
        eventId: event.id,
        type: event.type,
        kind,
        familyId: event.familyId,
        correlationId: event.correlationId,
        dueAt: event.data.dueAt,
        latenessSeconds,
      },
      'due row fired',
    );
  };
}

/** The earliest instant the tick has work: the lead of a question, a complete push or a reminder begins. */
async function nextWakeAt(db: Kysely<SchedulerDatabase>, leadMs: number): Promise<Date | null> {
  const { rows } = await sql<{ at: Date | null }>`
    select least(
      (select min(next_due_at) from family_schedule) - ${leadMs} * interval '1 millisecond',
      (select min(due_at) from pending_push) - ${leadMs} * interval '1 millisecond') as at`.execute(db);
  return rows[0]?.at ?? null;
}
