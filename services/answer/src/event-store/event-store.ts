import {
  createEvent,
  type DomainEvent,
  type EventContext,
  type EventType,
  eventSchemas,
  newEventId,
} from '@haru/contracts';
import { type Database, type Executor, isUniqueViolation } from '@haru/db';
import { appendToOutbox, transactionWithOutbox } from '@haru/messaging';
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

export interface Stream<Event extends StoredEvent = StoredEvent> {
  version: number;
  events: Event[];
}

export async function readStream<Event extends StoredEvent>(
  db: Executor<AnswerDatabase>,
  streamId: string,
): Promise<Stream<Event>> {
  return (await readStreams(db, [streamId])).get(streamId) as Stream<Event>;
}

/** Several streams in one query (one round trip); a stream without events is at version 0. */
export async function readStreams(
  db: Executor<AnswerDatabase>,
  streamIds: readonly string[],
): Promise<Map<string, Stream>> {
  const rows = await db
    .selectFrom('events')
    .select(['stream_id', 'type', 'data', 'stream_version'])
    .where('stream_id', 'in', streamIds)
    .orderBy('stream_id')
    .orderBy('stream_version')
    .execute();
  const streams = new Map<string, Stream>(streamIds.map((streamId) => [streamId, { version: 0, events: [] }]));
  for (const { stream_id, type, data, stream_version } of rows) {
    const stream = streams.get(stream_id);
    if (!stream) continue;
    stream.version = stream_version;
    stream.events.push({ type, data });
  }
  return streams;
}

/**
 * Appends events to a stream that must still be at `expectedVersion`, and puts each
 * on the outbox as its published contract (which may carry less than the stored event:
 * the contract decides what leaves the service) under the same event id. One statement,
 * so that it is atomic on its own: a command needs no transaction of its own to append.
 */
export async function appendToStream(
  db: Executor<AnswerDatabase>,
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
  const published = events.flatMap((event, index) => {
    const row = rows[index];
    const contract = row && publishedContract(event, { eventId: row.event_id, familyId: stream.familyId, context });
    return contract ? [contract] : [];
  });
  try {
    await appendToOutbox(db, published, db.insertInto('events').values(rows));
  } catch (error) {
    if (isUniqueViolation(error))
      throw new StreamVersionConflict(`${stream.streamId} moved past ${stream.expectedVersion}`);
    throw error;
  }
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
 * `alsoRead` names streams the decision needs besides its own, read in the same query
 * (their versions are not checked). `alsoInTransaction` writes lookups that must commit
 * with the events; without it the append is a single statement.
 */
export async function executeCommand<Event extends StoredEvent>(
  database: Database<AnswerDatabase>,
  options: {
    streamId: string;
    familyId: string;
    context: EventContext;
    alsoRead?: readonly string[];
    decide: (history: Event[], alsoRead: ReadonlyMap<string, Stream>) => Event[];
    alsoInTransaction?: (trx: Transaction<AnswerDatabase>, appended: Event[]) => Promise<void>;
  },
): Promise<{ history: Event[]; appended: Event[] }> {
  const { streamId, familyId, context, alsoRead = [], alsoInTransaction } = options;
  const attempts = 5;
  for (let attempt = 1; ; attempt++) {
    try {
      const streams = await readStreams(database.db, [streamId, ...alsoRead]);
      const { version, events } = streams.get(streamId) as Stream<Event>;
      const appended = options.decide(events, streams);
      const stream = { streamId, familyId, expectedVersion: version };
      if (alsoInTransaction) {
        await transactionWithOutbox(database.db, async (trx) => {
          await appendToStream(trx, stream, appended, context);
          await alsoInTransaction(trx, appended);
        });
      } else {
        await appendToStream(database.db, stream, appended, context);
      }
      return { history: [...events, ...appended], appended };
    } catch (error) {
      if (!(error instanceof StreamVersionConflict) || attempt >= attempts) throw error;
    }
  }
}
