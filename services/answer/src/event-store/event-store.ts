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
import { type Insertable, sql, type Transaction } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { AnswerDatabase, EventsTable } from '../database.ts';

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

/**
 * Streams read or appended before, per database handle, so that a read fetches only what
 * was appended since: a family's whole history is read from the database once, not on every
 * answer. A stream's history never changes, so an entry is never wrong, only behind (another
 * replica's appends are read on top of it). Bounded by the events it holds; the streams used
 * least recently go first.
 */
const knownStreams = new WeakMap<object, LRUCache<string, Stream>>();
const knownEventsLimit = 100_000;

function knownStreamsOf(db: Executor<AnswerDatabase>): LRUCache<string, Stream> | undefined {
  // A transaction may yet roll back: what it reads or writes is not remembered.
  if (db.isTransaction) return undefined;
  let known = knownStreams.get(db);
  if (!known) {
    known = new LRUCache({ maxSize: knownEventsLimit, sizeCalculation: (stream) => Math.max(stream.events.length, 1) });
    knownStreams.set(db, known);
  }
  return known;
}

/**
 * Several streams in one query (one round trip), each from just after the version it was
 * last seen at; a stream without events is at version 0.
 */
export async function readStreams(
  db: Executor<AnswerDatabase>,
  streamIds: readonly string[],
): Promise<Map<string, Stream>> {
  const known = knownStreamsOf(db);
  const streams = new Map<string, Stream>();
  for (const streamId of streamIds) {
    const seen = known?.get(streamId);
    streams.set(streamId, { version: seen?.version ?? 0, events: seen ? [...seen.events] : [] });
  }
  // Lateral: one index range scan per stream, whatever the planner guesses of the list.
  const { rows } = await sql<{ stream_id: string; type: string; data: unknown; stream_version: number }>`
    select seen.stream_id, later.type, later.data, later.stream_version
    from unnest(${[...streams.keys()]}::text[], ${[...streams.values()].map((stream) => stream.version)}::int[])
      as seen(stream_id, version)
    cross join lateral (
      select type, data, stream_version from events
      where events.stream_id = seen.stream_id and events.stream_version > seen.version
      order by stream_version) as later`.execute(db);
  for (const { stream_id, type, data, stream_version } of rows) {
    const stream = streams.get(stream_id);
    if (!stream) continue;
    stream.version = stream_version;
    stream.events.push({ type, data });
  }
  for (const [streamId, stream] of streams) remember(known, streamId, stream);
  return streams;
}

/** Keeps a stream as read or as appended to, unless what is kept is further along. */
function remember(known: LRUCache<string, Stream> | undefined, streamId: string, stream: Stream): void {
  if (!known || stream.version === 0) return;
  if ((known.get(streamId)?.version ?? 0) >= stream.version) return;
  known.set(streamId, stream);
}

/** Events to append to a stream that must still be at `expectedVersion`. */
export interface StreamAppend {
  streamId: string;
  familyId: string;
  expectedVersion: number;
  events: readonly StoredEvent[];
  context: EventContext;
}

/**
 * Appends events to streams that must still be at their expected versions (several appends
 * to one stream follow each other: each expects the version the one before it leaves), and
 * puts each on the outbox as its published contract (which may carry less than the stored
 * event: the contract decides what leaves the service) under the same event id. One
 * statement, so that it is atomic on its own: a command needs no transaction to append.
 */
export async function appendToStreams(db: Executor<AnswerDatabase>, appends: readonly StreamAppend[]): Promise<void> {
  const rows: Insertable<EventsTable>[] = [];
  const published: DomainEvent[] = [];
  for (const { streamId, familyId, expectedVersion, events, context } of appends) {
    for (const [index, event] of events.entries()) {
      const eventId = newEventId();
      rows.push({
        event_id: eventId,
        stream_id: streamId,
        stream_version: expectedVersion + index + 1,
        type: event.type,
        data: JSON.stringify(event.data),
        family_id: familyId,
        occurred_at: context.occurredAt,
        correlation_id: context.correlationId,
        causation_id: context.causationId,
      });
      const contract = publishedContract(event, { eventId, familyId, context });
      if (contract) published.push(contract);
    }
  }
  if (rows.length === 0) return;
  try {
    await appendToOutbox(db, published, db.insertInto('events').values(rows));
  } catch (error) {
    if (isUniqueViolation(error)) {
      const streams = appends.map(({ streamId, expectedVersion }) => `${streamId}@${expectedVersion}`).join(', ');
      throw new StreamVersionConflict(`a stream moved past its expected version (${streams})`);
    }
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

/** A command against a stream, decided on the stream's history (and on `alsoRead`). */
export interface StreamCommand<Event extends StoredEvent> {
  streamId: string;
  familyId: string;
  context: EventContext;
  /** Streams the decision needs besides its own, read in the same query (their versions are not checked). */
  alsoRead?: readonly string[];
  decide: (history: Event[], alsoRead: ReadonlyMap<string, Stream>) => Event[];
}

export interface CommandResult<Event extends StoredEvent> {
  history: Event[];
  appended: Event[];
}

/**
 * Runs a command against a stream: read, decide, append — retried from the top when
 * another writer got there first, so concurrent commands serialise without locks.
 * `alsoInTransaction` writes lookups that must commit with the events; without it the
 * append is a single statement.
 */
export async function executeCommand<Event extends StoredEvent>(
  database: Database<AnswerDatabase>,
  command: StreamCommand<Event> & {
    alsoInTransaction?: (trx: Transaction<AnswerDatabase>, appended: Event[]) => Promise<void>;
  },
): Promise<CommandResult<Event>> {
  const { alsoInTransaction } = command;
  const attempts = 5;
  for (let attempt = 1; ; attempt++) {
    try {
      const streams = await readStreams(database.db, streamsOf([command]));
      const { outcomes, appends } = decideInTurn(streams, [command]);
      const [outcome] = outcomes as [PromiseSettledResult<CommandResult<Event>>];
      if (outcome.status === 'rejected') throw outcome.reason;
      if (alsoInTransaction) {
        await transactionWithOutbox(database.db, async (trx) => {
          await appendToStreams(trx, appends);
          await alsoInTransaction(trx, outcome.value.appended);
        });
      } else {
        await appendToStreams(database.db, appends);
      }
      rememberAppended(database.db, streams, appends);
      return outcome.value;
    } catch (error) {
      if (!(error instanceof StreamVersionConflict) || attempt >= attempts) throw error;
    }
  }
}

/**
 * Runs commands together (a group commit): one read for all their streams, each command
 * decided in turn on the streams as the ones before it left them, and one append for all
 * that they decided, so that a busy service spends one round trip and one commit on many
 * commands instead of two each. A command whose decision refuses fails alone. When another
 * writer moved one of the streams since the read, each command runs again on its own
 * (`executeCommand`, with its retries).
 */
export async function executeCommands<Event extends StoredEvent>(
  database: Database<AnswerDatabase>,
  commands: ReadonlyArray<StreamCommand<Event>>,
): Promise<Array<PromiseSettledResult<CommandResult<Event>>>> {
  const streams = await readStreams(database.db, streamsOf(commands));
  const { outcomes, appends } = decideInTurn(streams, commands);
  try {
    await appendToStreams(database.db, appends);
    rememberAppended(database.db, streams, appends);
    return outcomes;
  } catch (error) {
    if (!(error instanceof StreamVersionConflict)) throw error;
    return Promise.allSettled(commands.map((command) => executeCommand(database, command)));
  }
}

const streamsOf = (commands: ReadonlyArray<Pick<StreamCommand<StoredEvent>, 'streamId' | 'alsoRead'>>): string[] => [
  ...new Set(commands.flatMap((command) => [command.streamId, ...(command.alsoRead ?? [])])),
];

/** Once appended (and committed), the streams as the appends left them are known too. */
function rememberAppended(
  db: Executor<AnswerDatabase>,
  streams: Map<string, Stream>,
  appends: readonly StreamAppend[],
) {
  const known = knownStreamsOf(db);
  for (const { streamId } of appends) {
    const stream = streams.get(streamId);
    if (stream) remember(known, streamId, stream);
  }
}

/** Decides each command on the streams read, moving them on by what the ones before it appended. */
function decideInTurn<Event extends StoredEvent>(
  streams: Map<string, Stream>,
  commands: ReadonlyArray<StreamCommand<Event>>,
): { outcomes: Array<PromiseSettledResult<CommandResult<Event>>>; appends: StreamAppend[] } {
  const appends: StreamAppend[] = [];
  const outcomes = commands.map((command): PromiseSettledResult<CommandResult<Event>> => {
    const stream = streams.get(command.streamId) as Stream<Event>;
    try {
      const appended = command.decide(stream.events, streams);
      const history = [...stream.events, ...appended];
      if (appended.length > 0) {
        const { streamId, familyId, context } = command;
        appends.push({ streamId, familyId, expectedVersion: stream.version, events: appended, context });
        streams.set(streamId, { version: stream.version + appended.length, events: history });
      }
      return { status: 'fulfilled', value: { history, appended } };
    } catch (reason) {
      return { status: 'rejected', reason };
    }
  });
  return { outcomes, appends };
}
