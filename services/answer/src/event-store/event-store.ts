import {
  createEvent,
  type DomainEvent,
  type EventContext,
  type EventType,
  eventSchemas,
  newEventId,
} from '@haru/contracts';
import { type Database, type Executor, isUniqueViolation } from '@haru/db';
import { appendToOutbox } from '@haru/messaging';
import type { Transaction } from 'kysely';
import type { AnswerDatabase } from '../database.ts';

/** What aggregates store: a type and its data. The envelope is the store's business. */
export interface StoredEvent {
  type: string;
  data: unknown;
}

/** Raised when another writer appended to the stream since it was read. */
export class StreamVersionConflict extends Error {
  override name = 'StreamVersionConflict';
}

export async function readStream<Event extends StoredEvent>(
  db: Executor<AnswerDatabase>,
  streamId: string,
): Promise<{ version: number; events: Event[] }> {
  const rows = await db
    .selectFrom('events')
    .select(['type', 'data', 'stream_version'])
    .where('stream_id', '=', streamId)
    .orderBy('stream_version')
    .execute();
  return { version: rows.at(-1)?.stream_version ?? 0, events: rows.map(({ type, data }) => ({ type, data }) as Event) };
}

/**
 * Appends events to a stream that must still be at `expectedVersion`, and puts each
 * on the outbox as its published contract (which may carry less than the stored event:
 * the contract decides what leaves the service) under the same event id.
 */
export async function appendToStream(
  trx: Transaction<AnswerDatabase>,
  stream: { streamId: string; familyId: string; expectedVersion: number },
  events: readonly StoredEvent[],
  context: EventContext,
): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map((event, index) => ({
    event_id: newEventId(),
    stream_id: stream.streamId,
    stream_version: stream.expectedVersion + index + 1,
    type: event.type,
    data: JSON.stringify(event.data),
    family_id: stream.familyId,
    occurred_at: context.occurredAt,
    correlation_id: context.correlationId,
    causation_id: context.causationId,
  }));
  try {
    await trx.insertInto('events').values(rows).execute();
  } catch (error) {
    if (isUniqueViolation(error))
      throw new StreamVersionConflict(`${stream.streamId} moved past ${stream.expectedVersion}`);
    throw error;
  }
  const published = events.flatMap((event, index) => {
    const row = rows[index];
    const contract = row && publishedContract(event, { eventId: row.event_id, familyId: stream.familyId, context });
    return contract ? [contract] : [];
  });
  await appendToOutbox(trx, published);
}

/**
 * The contract a stored event leaves the service as, under the stored event's id — or
 * null for an event that stays inside. Used for the outbox and for the event feed alike,
 * so that both say the same about the same event.
 */
export function publishedContract(
  event: StoredEvent,
  { eventId, familyId, context }: { eventId: string; familyId: string; context: EventContext },
): DomainEvent | null {
  if (!isPublished(event.type)) return null;
  const data = eventSchemas[event.type].parse(event.data);
  return createEvent(event.type, familyId, data as never, context, eventId) as DomainEvent;
}

export const isPublished = (type: string): type is EventType => Object.hasOwn(eventSchemas, type);

/**
 * Runs a command against a stream: read, decide, append — retried from the top when
 * another writer got there first, so concurrent commands serialise without locks.
 * `alsoInTransaction` writes lookups that must commit with the events.
 */
export async function executeCommand<Event extends StoredEvent>(
  database: Database<AnswerDatabase>,
  options: {
    streamId: string;
    familyId: string;
    context: EventContext;
    decide: (history: Event[]) => Event[];
    alsoInTransaction?: (trx: Transaction<AnswerDatabase>, appended: Event[]) => Promise<void>;
  },
): Promise<{ history: Event[]; appended: Event[] }> {
  const attempts = 5;
  for (let attempt = 1; ; attempt++) {
    try {
      return await database.db.transaction().execute(async (trx) => {
        const { version, events } = await readStream<Event>(trx, options.streamId);
        const appended = options.decide(events);
        const stream = { streamId: options.streamId, familyId: options.familyId, expectedVersion: version };
        await appendToStream(trx, stream, appended, options.context);
        await options.alsoInTransaction?.(trx, appended);
        return { history: [...events, ...appended], appended };
      });
    } catch (error) {
      if (!(error instanceof StreamVersionConflict) || attempt >= attempts) throw error;
    }
  }
}
